//! Checking of values built in a workflow: struct builders (`new`), map literals, the fields
//! of a user task's output, and JSON content, which LittleHorse converts only to primitive
//! types.

use crate::diag::a_or_an;
use std::collections::HashMap;

use super::{StructSig, SymbolKind, Ty, WorkflowChecker, assignable, names};
use crate::ast::*;
use crate::diag::{Code, Diagnostic};
use crate::source::Span;

impl WorkflowChecker<'_> {
    /// Whether `e`, of type `t`, is JSON content: a JSON value itself, or something read out
    /// of one.
    pub(super) fn is_json_value(&self, t: &Ty, e: &Expr) -> bool {
        matches!(t, Ty::Prim(Prim::JsonObj | Prim::JsonArr))
            || (*t == Ty::Any && self.json_values.contains(&e.span))
    }

    /// True when `value` is JSON content and `target` an array, map or struct: the server
    /// converts JSON content only to primitive types.
    pub(super) fn json_into_typed(&self, value: &Expr, target: &Ty) -> bool {
        matches!(target, Ty::Array(_) | Ty::Map(..) | Ty::Struct(_))
            && self.json_values.contains(&value.span)
    }

    pub(super) fn json_error(&mut self, code: Code, value: &Expr, target: &Ty) {
        let help = match target {
            Ty::Struct(s) => format!(
                "LittleHorse converts JSON content only to primitive types; build the value with `new {s} {{ ... }}`, or take it from a step that returns {a_s}",
                a_s = a_or_an(&s)
            ),
            t => format!(
                "LittleHorse converts JSON content only to primitive types; take the value from a step or variable that is {a_t}",
                a_t = a_or_an(&t)
            ),
        };
        self.err(
            Diagnostic::error(
                code,
                value.span,
                format!(
                    "JSON content cannot become {a_target}",
                    a_target = a_or_an(&target)
                ),
            )
            .with_label("JSON content, typed only at run time")
            .with_help(help),
        );
    }

    /// `d.field` where `d` is bound to an `ask` step: the form's field, with its type.
    /// `None` when `base` is not such a binding.
    pub(super) fn form_field(&mut self, base: &Expr, name: &Name) -> Option<Ty> {
        let ExprKind::Var(v) = &base.kind else {
            return None;
        };
        if self.vars.contains_key(&v.text) || self.lookup_let(&v.text).is_none() {
            return None;
        }
        let form = self.let_forms.get(&v.text)?.clone();
        let fields = self.cx.model.user_tasks.get(&form)?.clone();
        if self.expr(base) == Ty::Error {
            // Read in another thread (already reported).
            return Some(Ty::Error);
        }
        if let Some((_, t)) = fields.iter().find(|(f, _)| *f == name.text) {
            if let Some(rec) = self.rec() {
                rec.member(SymbolKind::FormField, &form, &name.text, name.span);
            }
            return Some(t.clone());
        }
        let mut d = Diagnostic::error(
            Code::E0212,
            name.span,
            format!("user task `{form}` has no field `{}`", name.text),
        )
        .with_label("not a field of the form")
        .with_secondary(base.span, format!("the output of the user task `{form}`"));
        d = match names::closest(&name.text, fields.iter().map(|(f, _)| f.as_str())) {
            Some(c) => d.did_you_mean(c),
            None => d.with_help(format!(
                "the form's fields are: {}",
                fields
                    .iter()
                    .map(|(f, _)| f.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
        self.err(d);
        Some(Ty::Error)
    }

    /// `new name { field: value, nested: { ... } }`
    pub(super) fn new_struct(&mut self, name: &Name, fields: &[(Name, Expr)]) -> Ty {
        let Some(sig) = self.cx.model.structs.get(&name.text).cloned() else {
            self.cx.ty(&TypeExpr::Named(name.clone()));
            self.struct_values_unchecked(fields);
            return Ty::Error;
        };
        self.cx.record_global(SymbolKind::Struct, name);
        self.struct_value(&name.text, &sig, fields, name.span);
        Ty::Struct(name.text.clone())
    }

    /// Checks the expressions of a struct literal whose struct is unknown.
    fn struct_values_unchecked(&mut self, fields: &[(Name, Expr)]) {
        for (_, value) in fields {
            match &value.kind {
                ExprKind::InlineStruct(inner) => self.struct_values_unchecked(inner),
                _ => {
                    self.expr(value);
                }
            }
        }
    }

    /// The fields of a struct literal against the struct `struct_name`; `at` is where the
    /// literal is named (for missing fields).
    fn struct_value(
        &mut self,
        struct_name: &str,
        sig: &StructSig,
        fields: &[(Name, Expr)],
        at: Span,
    ) {
        if sig.partial {
            // The declaration did not parse (already reported).
            self.struct_values_unchecked(fields);
            return;
        }
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for (fname, value) in fields {
            if let Some(prev) = seen.insert(&fname.text, fname.span) {
                self.cx.duplicate(fname, prev, "field");
            }
            let field_ty = sig
                .fields
                .iter()
                .find(|(f, _)| *f == fname.text)
                .map(|(_, t)| t.clone());
            if field_ty.is_some()
                && let Some(rec) = self.rec()
            {
                rec.member(SymbolKind::Field, struct_name, &fname.text, fname.span);
            }
            let Some(ft) = field_ty else {
                let mut d = Diagnostic::error(
                    Code::E0212,
                    fname.span,
                    format!("struct `{struct_name}` has no field `{}`", fname.text),
                )
                .with_label("unknown field");
                d = match names::closest(&fname.text, sig.fields.iter().map(|f| f.0.as_str())) {
                    Some(c) => d.did_you_mean(c),
                    None => d.with_help(format!(
                        "its fields are: {}",
                        sig.fields
                            .iter()
                            .map(|f| f.0.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                };
                self.err(d);
                match &value.kind {
                    ExprKind::InlineStruct(inner) => self.struct_values_unchecked(inner),
                    _ => {
                        self.expr(value);
                    }
                }
                continue;
            };
            match (&ft, &value.kind) {
                (Ty::Struct(inner_name), ExprKind::InlineStruct(inner)) => {
                    match self.cx.model.structs.get(inner_name).cloned() {
                        Some(inner_sig) => {
                            self.struct_value(inner_name, &inner_sig, inner, fname.span);
                        }
                        None => self.struct_values_unchecked(inner),
                    }
                }
                (_, ExprKind::InlineStruct(inner)) => {
                    if ft != Ty::Error {
                        self.err(
                            Diagnostic::error(
                                Code::E0203,
                                value.span,
                                format!(
                                    "field `{}` is {a_ft}, not a struct",
                                    fname.text,
                                    a_ft = a_or_an(&ft)
                                ),
                            )
                            .with_label("a nested struct")
                            .with_help(format!(
                                "give `{}` {a_ft} value",
                                fname.text,
                                a_ft = a_or_an(&ft)
                            )),
                        );
                    }
                    self.struct_values_unchecked(inner);
                }
                _ => {
                    let vt = self.expr(value);
                    if vt == Ty::Void {
                        self.void_output(value);
                    } else if self.json_into_typed(value, &ft) {
                        self.json_error(Code::E0203, value, &ft);
                    } else if !assignable(&vt, &ft) {
                        self.err(
                            Diagnostic::error(
                                Code::E0203,
                                value.span,
                                format!(
                                    "field `{}` is {a_ft}, found `{vt}`",
                                    fname.text,
                                    a_ft = a_or_an(&ft)
                                ),
                            )
                            .with_label(format!("this is {a_vt}", a_vt = a_or_an(&vt)))
                            .with_help(format!("give it {a_ft}", a_ft = a_or_an(&ft))),
                        );
                    }
                }
            }
        }
        if let Some(d) = missing_fields(struct_name, sig, &seen, at) {
            self.err(d);
        }
    }

    /// `map { key: value, ... }`: keys of one primitive type, values of one type.
    pub(super) fn map_lit(&mut self, entries: &[(Expr, Expr)]) -> Ty {
        let mut key_ty: Option<(Ty, Span)> = None;
        let mut value_ty: Option<(Ty, Span)> = None;
        for (k, v) in entries {
            let kt = self.expr(k);
            let vt = self.expr(v);
            for (e, t) in [(k, &kt), (v, &vt)] {
                if *t == Ty::Void {
                    self.void_output(e);
                }
            }
            if !(kt.is_prim() || kt.is_unknown() || kt == Ty::Void) {
                self.err(
                    Diagnostic::error(Code::E0203, k.span, "map keys are primitive values")
                        .with_label(format!("this is {a_kt}", a_kt = a_or_an(&kt)))
                        .with_help("use `str` or `int` keys"),
                );
                continue;
            }
            for (t, e, slot, what) in [
                (&kt, k, &mut key_ty, "key"),
                (&vt, v, &mut value_ty, "value"),
            ] {
                if t.is_unknown() || *t == Ty::Void {
                    continue;
                }
                match slot {
                    None => *slot = Some((t.clone(), e.span)),
                    Some((first, first_span)) if first != t => {
                        let (first, first_span) = (first.clone(), *first_span);
                        self.err(
                            Diagnostic::error(
                                Code::E0203,
                                e.span,
                                format!(
                                    "this {what} is {a_t}, but the first is {a_first}",
                                    a_t = a_or_an(&t),
                                    a_first = a_or_an(&first)
                                ),
                            )
                            .with_label(format!("this is {a_t}", a_t = a_or_an(&t)))
                            .with_secondary(
                                first_span,
                                format!("this is {a_first}", a_first = a_or_an(&first)),
                            )
                            .with_help(format!(
                                "a map's {what}s all have one type; convert with `as` where needed"
                            )),
                        );
                    }
                    Some(_) => {}
                }
            }
        }
        Ty::Map(
            Box::new(key_ty.map_or(Ty::Any, |(t, _)| t)),
            Box::new(value_ty.map_or(Ty::Any, |(t, _)| t)),
        )
    }
}

/// E0230: the fields of `sig` given no value in `seen` and having no default (one message for
/// `new` builders and struct constants).
pub(super) fn missing_fields(
    struct_name: &str,
    sig: &StructSig,
    seen: &HashMap<&str, Span>,
    at: Span,
) -> Option<Diagnostic> {
    let missing: Vec<&str> = sig
        .fields
        .iter()
        .map(|(f, _)| f.as_str())
        .filter(|f| !seen.contains_key(f) && !sig.defaulted.iter().any(|d| d == f))
        .collect();
    let first = missing.first()?;
    let list = missing
        .iter()
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(", ");
    Some(
        Diagnostic::error(
            Code::E0230,
            at,
            format!(
                "struct `{struct_name}` needs the field{} {list}",
                if missing.len() == 1 { "" } else { "s" }
            ),
        )
        .with_label("required field missing")
        .with_help(format!(
            "give every field without a default a value, e.g. `{first}: ...`"
        )),
    )
}
