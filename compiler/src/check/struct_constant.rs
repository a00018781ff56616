//! Struct constants: `new customer { name: "Ann", age: 3 }` where a constant is expected (a
//! variable's or a struct field's default, an element of a typed array or map default).
//! Every field value must itself be a constant; the fields are checked against the struct's
//! declaration as `new` checks them in a statement.

use std::collections::HashMap;

use super::problems::{ConstantSite, Problem};
use super::{Checker, SymbolKind, Ty};
use crate::ast::*;
use crate::source::Span;

impl Checker {
    /// `new name { ... }` as a constant of type `ty`; `site` gives the code of a wrong
    /// constant (E0209 for a default).
    pub(super) fn struct_constant(
        &mut self,
        e: &Expr,
        name: &Name,
        fields: &[(Name, Expr)],
        ty: &Ty,
        site: ConstantSite,
    ) {
        let built = self.ty(&TypeExpr::Named(name.clone()));
        if built == Ty::Error {
            return;
        }
        if *ty != Ty::Error && *ty != built {
            self.problem(Problem::StructConstantType {
                site,
                span: e.span,
                expected: ty.clone(),
                built,
            });
            return;
        }
        self.struct_fields_constant(&name.text, fields, name.span, site);
    }

    /// The fields of a struct constant of the struct `struct_name` (declared in the file).
    fn struct_fields_constant(
        &mut self,
        struct_name: &str,
        fields: &[(Name, Expr)],
        at: Span,
        site: ConstantSite,
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
                self.problem(super::builders::unknown_field(struct_name, &sig, fname));
                continue;
            };
            if let Some(rec) = &mut self.rec {
                rec.member(SymbolKind::Field, struct_name, &fname.text, fname.span);
            }
            match (ft, &value.kind) {
                (Ty::Struct(inner), ExprKind::InlineStruct(inner_fields)) => {
                    self.struct_fields_constant(inner, inner_fields, fname.span, site);
                }
                (_, ExprKind::InlineStruct(_)) => {
                    if *ft != Ty::Error {
                        self.problem(Problem::FieldNotStruct {
                            field: fname.text.clone(),
                            span: value.span,
                            ty: ft.clone(),
                        });
                    }
                }
                // A `nullable` field may hold `null` (a struct built by `new` leaves it out).
                (_, ExprKind::Null) if sig.nullable.contains(&fname.text) => {}
                _ => self.constant(value, ft, site),
            }
        }
        if let Some(p) = super::builders::missing_fields(struct_name, &sig, &seen, at) {
            self.problem(p);
        }
    }
}
