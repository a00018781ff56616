" Editing settings for .lhw files.
if exists('b:did_ftplugin')
  finish
endif
let b:did_ftplugin = 1

" Names hold inner hyphens (charge-card): `w`, `*` and completion treat them as one word.
setlocal iskeyword+=-
setlocal commentstring=//\ %s
setlocal comments=s1:/*,mb:*,ex:*/,://
setlocal formatoptions-=t formatoptions+=croql
setlocal shiftwidth=2 softtabstop=2 expandtab

let b:undo_ftplugin = 'setlocal iskeyword< commentstring< comments< formatoptions<'
      \ . ' shiftwidth< softtabstop< expandtab<'
