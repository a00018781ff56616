//! Checking of values built in a workflow: struct builders (`new`), map literals, the fields
//! of a user task's output, and JSON content, which LittleHorse converts only to primitive
//! types.

use std::collections::HashMap;

use super::problems::{MapPart, Problem, ValueSite};
use super::{StructSig, SymbolKind, Ty, WorkflowChecker, assignable, names};
use crate::ast::*;
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

    pub(super) fn json_error(&mut self, site: ValueSite, value: &Expr, target: &Ty) {
        self.cx.problem(Problem::JsonIntoTyped {
            site,
            span: value.span,
            target: target.clone(),
        });
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
        let suggestion =
            names::closest(&name.text, fields.iter().map(|(f, _)| f.as_str())).map(str::to_string);
        self.cx.problem(Problem::UnknownFormField {
            form,
            name: name.text.clone(),
            span: name.span,
            base_span: base.span,
            suggestion,
            fields: fields.into_iter().map(|(f, _)| f).collect(),
        });
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
                self.cx.problem(unknown_field(struct_name, sig, fname));
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
                        self.cx.problem(Problem::FieldNotStruct {
                            field: fname.text.clone(),
                            span: value.span,
                            ty: ft.clone(),
                        });
                    }
                    self.struct_values_unchecked(inner);
                }
                _ => {
                    let vt = self.expr(value);
                    if vt == Ty::Void {
                        self.void_output(value);
                    } else if self.json_into_typed(value, &ft) {
                        self.json_error(ValueSite::Other, value, &ft);
                    } else if !assignable(&vt, &ft) {
                        self.cx.problem(Problem::FieldType {
                            field: fname.text.clone(),
                            span: value.span,
                            expected: ft.clone(),
                            found: vt,
                        });
                    }
                }
            }
        }
        if let Some(p) = missing_fields(struct_name, sig, &seen, at) {
            self.cx.problem(p);
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
                self.cx.problem(Problem::MapKeyType {
                    span: k.span,
                    ty: kt,
                });
                continue;
            }
            for (t, e, slot, part) in [
                (&kt, k, &mut key_ty, MapPart::Key),
                (&vt, v, &mut value_ty, MapPart::Value),
            ] {
                if t.is_unknown() || *t == Ty::Void {
                    continue;
                }
                match slot {
                    None => *slot = Some((t.clone(), e.span)),
                    Some((first, first_span)) if first != t => {
                        let (first, first_span) = (first.clone(), *first_span);
                        self.cx.problem(Problem::MapEntryType {
                            part,
                            span: e.span,
                            ty: t.clone(),
                            first,
                            first_span,
                        });
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

/// E0212: `name` is no field of the struct `struct_name` (one problem for `new` builders
/// and struct constants).
pub(super) fn unknown_field(struct_name: &str, sig: &StructSig, name: &Name) -> Problem {
    let suggestion =
        names::closest(&name.text, sig.fields.iter().map(|f| f.0.as_str())).map(str::to_string);
    Problem::UnknownField {
        struct_name: struct_name.to_string(),
        name: name.text.clone(),
        span: name.span,
        suggestion,
        fields: sig.fields.iter().map(|f| f.0.clone()).collect(),
    }
}

/// E0230: the fields of `sig` given no value in `seen` and having no default (one message for
/// `new` builders and struct constants).
pub(super) fn missing_fields(
    struct_name: &str,
    sig: &StructSig,
    seen: &HashMap<&str, Span>,
    at: Span,
) -> Option<Problem> {
    let missing: Vec<String> = sig
        .fields
        .iter()
        .map(|(f, _)| f.as_str())
        .filter(|f| !seen.contains_key(f) && !sig.defaulted.iter().any(|d| d == f))
        .map(str::to_string)
        .collect();
    (!missing.is_empty()).then(|| Problem::MissingFields {
        struct_name: struct_name.to_string(),
        span: at,
        missing,
    })
}
