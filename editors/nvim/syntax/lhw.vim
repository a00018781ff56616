" Vim syntax file for .lhw (LittleHorse workflows); docs/language.md is the reference.
" The keyword lists are checked against grammar/src/lhw.pest by tests/editors:
" lhwKw* hold the reserved words (the pest `keyword` rule), lhwCtx* the words that are
" keywords only where a statement uses them, lhwType the primitive types (`prim_ty`).
if exists('b:current_syntax')
  finish
endif

" Names hold inner hyphens: `if-ready` is one name, not the keyword `if`.
syn iskeyword @,48-57,_,192-255,-

" Reserved words.
syn keyword lhwKwControl   if else while return fail
syn keyword lhwKwStorage   workflow-event workflow task event struct var input let
syn keyword lhwKwModifier  public private inherited
syn keyword lhwKwConstant  true false null
syn keyword lhwKwOperator  as in not contains

" Contextual keywords (they may also be names).
syn keyword lhwCtxControl  wait until sleep spawn await catch on emit ask run for
syn keyword lhwCtxStorage  user-task
syn keyword lhwCtxModifier extern required searchable masked unmasked nullable correlated once id version
syn keyword lhwCtxOther    after any arrival assignment backoff by cancel default error
syn keyword lhwCtxOther    exception extend first from group index key map new notes of
syn keyword lhwCtxOther    parent reassign release remind remove retention retries thread
syn keyword lhwCtxOther    timeout to ttl updates user with
" Test files (`*.test.lhw`, docs/testing.md).
syn keyword lhwCtxTest     test use start mock returns fails throws times out then advance
syn keyword lhwCtxTest     send complete assign expect called never path emitted

" Primitive types.
syn keyword lhwType        json-obj json-arr wf-run-id timestamp double bytes bool json str int

" Calls: a name directly followed by `(`; a keyword quoted with backticks is a name.
syn match lhwCall         +\%([A-Za-z0-9_.-]\)\@<!\h[A-Za-z0-9_]*\%(-[A-Za-z0-9_]\+\)*\ze(+
syn match lhwRawName      +`\h[A-Za-z0-9_]*\%(-[A-Za-z0-9_]\+\)*`+

" Declared names (after lhwCall: at the same place, the item defined last wins).
syn match lhwTaskName     +\%(^\s*task\s\+\)\@<=`\?\h[A-Za-z0-9_]*\%(-[A-Za-z0-9_]\+\)*`\?+
syn match lhwTypeName     +\%(^\s*\%(extern\s\+\)\?\%(event\|workflow-event\|struct\|user-task\|workflow\)\s\+\)\@<=`\?\h[A-Za-z0-9_]*\%(-[A-Za-z0-9_]\+\)*`\?+
syn match lhwFailureName  +\%(\<fail[ \t]\+\)\@<=\h[A-Za-z0-9_]*\%(-[A-Za-z0-9_]\+\)*+

" Numbers: a digit right after a name's hyphen belongs to the name (`count-1`).
syn match lhwNumber       +\%([A-Za-z0-9_]-\?\)\@<!\d\+\%([A-Za-z0-9_]\)\@!+
syn match lhwDuration     +\%([A-Za-z0-9_]-\?\)\@<!\d\+\%(ms\|s\|m\|h\|d\)\%([A-Za-z0-9_]\)\@!+
syn match lhwFloat        +\%([A-Za-z0-9_]-\?\)\@<!\d\+\.\d\+\%([eE][+-]\?\d\+\)\?\%([A-Za-z0-9_]\)\@!+

syn match lhwOperator     +->\|\.\.+

" Strings: `{expr}` interpolates, `{{` and `}}` are literal braces.
syn region lhwString       start=+"+ skip=+\\\\\|\\"+ end=+"+ end=+$+ contains=lhwBadEscape,lhwEscape,lhwInterpolation,lhwBraceEscape
syn match  lhwBadEscape    contained +\\.\?+
syn match  lhwEscape       contained +\\\%(["\\ntr{}]\|u{\x\{1,6}}\)+
syn region lhwInterpolation contained matchgroup=lhwInterpolationDelim start=+{+ end=+}+ contains=@lhwExpr
syn match  lhwBraceEscape  contained +{{\|}}+
syn cluster lhwExpr contains=lhwKwControl,lhwKwStorage,lhwKwModifier,lhwKwConstant,lhwKwOperator,lhwCtxControl,lhwCtxStorage,lhwCtxModifier,lhwCtxOther,lhwType,lhwCall,lhwRawName,lhwNumber,lhwDuration,lhwFloat,lhwOperator,lhwString

" Comments; block comments nest.
syn keyword lhwTodo        contained TODO FIXME XXX NOTE
syn match   lhwLineComment +//.*$+ contains=lhwTodo,@Spell
syn region  lhwBlockComment start=+/\*+ end=+\*/+ contains=lhwBlockComment,lhwTodo,@Spell

hi def link lhwKwControl          Statement
hi def link lhwKwStorage          Keyword
hi def link lhwKwModifier         StorageClass
hi def link lhwKwConstant         Constant
hi def link lhwKwOperator         Operator
hi def link lhwCtxControl         Statement
hi def link lhwCtxStorage         Keyword
hi def link lhwCtxModifier        StorageClass
hi def link lhwCtxTest            Keyword
hi def link lhwCtxOther           Keyword
hi def link lhwType               Type
hi def link lhwTaskName           Function
hi def link lhwTypeName           Type
hi def link lhwFailureName        Identifier
hi def link lhwCall               Function
hi def link lhwRawName            Identifier
hi def link lhwNumber             Number
hi def link lhwDuration           Number
hi def link lhwFloat              Float
hi def link lhwOperator           Operator
hi def link lhwString             String
hi def link lhwBadEscape          Error
hi def link lhwEscape             SpecialChar
hi def link lhwBraceEscape        SpecialChar
hi def link lhwInterpolationDelim Delimiter
hi def link lhwTodo               Todo
hi def link lhwLineComment        Comment
hi def link lhwBlockComment       Comment

let b:current_syntax = 'lhw'
