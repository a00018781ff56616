//! Struct constants: `new customer { name: "Ann", age: 3 }` where a constant is expected (a
//! variable's or a struct field's default, an element of a typed array or map default).
//! Every field value must itself be a constant; the fields are checked against the struct's
//! declaration as `new` checks them in a statement.

use crate::diag::a_or_an;
use std::collections::HashMap;

use super::{Checker, SymbolKind, Ty, names};
use crate::ast::*;
use crate::diag::{Code, Diagnostic};
use crate::source::Span;

impl Checker {
    /// `new name { ... }` as a constant of type `ty`; `code` is the caller's (E0209 for a
    /// default).
    pub(super) fn struct_constant(
        &mut self,
        e: &Expr,
        name: &Name,
        fields: &[(Name, Expr)],
        ty: &Ty,
        code: Code,
    ) {
        let built = self.ty(&TypeExpr::Named(name.clone()));
        if built == Ty::Error {
            return;
        }
        if *ty != Ty::Error && *ty != built {
            self.diags.push(
                Diagnostic::error(
                    code,
                    e.span,
                    format!(
                        "expected {a_ty} default, found `{built}`",
                        a_ty = a_or_an(&ty)
                    ),
                )
                .with_label(format!("this is {a_built}", a_built = a_or_an(&built)))
                .with_help(format!("write {a_ty} constant here", a_ty = a_or_an(&ty))),
            );
            return;
        }
        self.struct_fields_constant(&name.text, fields, name.span, code);
    }

    /// The fields of a struct constant of the struct `struct_name` (declared in the file).
    fn struct_fields_constant(
        &mut self,
        struct_name: &str,
        fields: &[(Name, Expr)],
        at: Span,
        code: Code,
    ) {
        let Some(sig) = self.model.structs.get(struct_name).cloned() else {
            return;
        };
        if sig.partial {
            return;
        }
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for (fname, value) in fields {
            if let Some(prev) = seen.insert(&fname.text, fname.span) {
                self.duplicate(fname, prev, "field");
            }
            let Some((_, ft)) = sig.fields.iter().find(|(f, _)| *f == fname.text) else {
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
                self.diags.push(d);
                continue;
            };
            if let Some(rec) = &mut self.rec {
                rec.member(SymbolKind::Field, struct_name, &fname.text, fname.span);
            }
            match (ft, &value.kind) {
                (Ty::Struct(inner), ExprKind::InlineStruct(inner_fields)) => {
                    self.struct_fields_constant(inner, inner_fields, fname.span, code);
                }
                (_, ExprKind::InlineStruct(_)) => {
                    if *ft != Ty::Error {
                        self.diags.push(
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
                }
                // A `nullable` field may hold `null` (a struct built by `new` leaves it out).
                (_, ExprKind::Null) if sig.nullable.contains(&fname.text) => {}
                _ => self.constant(value, ft, code),
            }
        }
        if let Some(d) = super::builders::missing_fields(struct_name, &sig, &seen, at) {
            self.diags.push(d);
        }
    }
}
