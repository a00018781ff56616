//! The types the checker reasons about, and LittleHorse's conversion rules between them.

use std::fmt;

use crate::ast::Prim;

/// A checked type.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// A primitive LittleHorse type.
    Prim(Prim),
    /// A StructDef by name.
    Struct(String),
    /// An inline array.
    Array(Box<Ty>),
    /// An inline map.
    Map(Box<Ty>, Box<Ty>),
    /// JSON content whose type is known only at run time.
    Any,
    /// The `null` literal.
    Null,
    /// The output of a task that returns nothing.
    Void,
    /// A spawned thread (its thread number, an `int`).
    Thread,
    /// Threads spawned for each element of a list (their numbers, a `json-arr`).
    Threads,
    /// A child workflow run (its id, a `wf-run-id`).
    ChildWf,
    /// A type that could not be computed; its error is already reported.
    Error,
}

impl Ty {
    /// `str`
    pub const STR: Ty = Ty::Prim(Prim::Str);
    /// `int`
    pub const INT: Ty = Ty::Prim(Prim::Int);
    /// `double`
    pub const DOUBLE: Ty = Ty::Prim(Prim::Double);
    /// `bool`
    pub const BOOL: Ty = Ty::Prim(Prim::Bool);

    /// True for `int` and `double`.
    #[must_use]
    pub fn is_numeric(&self) -> bool {
        matches!(self, Ty::Prim(Prim::Int | Prim::Double))
    }

    /// True when the type is not known statically (errors, run-time JSON, null).
    #[must_use]
    pub fn is_unknown(&self) -> bool {
        matches!(self, Ty::Any | Ty::Error | Ty::Null)
    }

    /// True for primitives.
    #[must_use]
    pub fn is_prim(&self) -> bool {
        matches!(self, Ty::Prim(_))
    }

    /// True for values `.field` / `[i]` can select into.
    #[must_use]
    pub fn has_fields(&self) -> bool {
        matches!(
            self,
            Ty::Prim(Prim::JsonObj | Prim::JsonArr) | Ty::Struct(_) | Ty::Array(_) | Ty::Map(..)
        ) || self.is_unknown()
    }

    /// True for JSON values.
    #[must_use]
    pub fn is_json(&self) -> bool {
        matches!(self, Ty::Prim(Prim::JsonObj | Prim::JsonArr)) || self.is_unknown()
    }
}

/// The name a primitive is written with.
#[must_use]
pub fn prim_name(p: Prim) -> &'static str {
    match p {
        Prim::Str => "str",
        Prim::Int => "int",
        Prim::Double => "double",
        Prim::Bool => "bool",
        Prim::JsonObj => "json-obj",
        Prim::JsonArr => "json-arr",
        Prim::Bytes => "bytes",
        Prim::Timestamp => "timestamp",
        Prim::WfRunId => "wf-run-id",
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Prim(p) => f.write_str(prim_name(*p)),
            Ty::Struct(s) => f.write_str(s),
            Ty::Array(t) => write!(f, "{t}[]"),
            Ty::Map(k, v) => write!(f, "map<{k}, {v}>"),
            Ty::Any => f.write_str("json value"),
            Ty::Null => f.write_str("null"),
            Ty::Void => f.write_str("nothing"),
            Ty::Thread => f.write_str("thread"),
            Ty::Threads => f.write_str("threads"),
            Ty::ChildWf => f.write_str("child workflow"),
            Ty::Error => f.write_str("{unknown}"),
        }
    }
}

/// Whether a value of type `src` may be stored where `dst` is expected without a cast:
/// the same type, `int` into `double`, any primitive into `str` (the server's implicit
/// conversions), or a value whose type is known only at run time.
#[must_use]
pub fn assignable(src: &Ty, dst: &Ty) -> bool {
    if src == dst || src.is_unknown() || matches!(dst, Ty::Any | Ty::Error) {
        return true;
    }
    match (src, dst) {
        (Ty::Void, _) => false,
        (Ty::Thread, t) => assignable(&Ty::INT, t),
        (Ty::Threads, t) => assignable(&Ty::Prim(Prim::JsonArr), t),
        (Ty::ChildWf, t) => assignable(&Ty::Prim(Prim::WfRunId), t),
        (Ty::Prim(Prim::Int), Ty::Prim(Prim::Double)) => true,
        (Ty::Prim(_), Ty::Prim(Prim::Str)) => true,
        (Ty::Array(a), Ty::Array(b)) => assignable(a, b),
        (Ty::Map(ka, va), Ty::Map(kb, vb)) => (ka == kb || ka.is_unknown()) && assignable(va, vb),
        _ => false,
    }
}

/// Whether `value as target` is a conversion the server performs.
#[must_use]
pub fn castable(src: &Ty, target: Prim) -> bool {
    match src {
        Ty::Any | Ty::Error | Ty::Null => true,
        Ty::Prim(p) if *p == target => true,
        Ty::Prim(_) if target == Prim::Str => true,
        Ty::Prim(Prim::Str) => matches!(
            target,
            Prim::Int | Prim::Double | Prim::Bool | Prim::Bytes | Prim::WfRunId
        ),
        Ty::Prim(Prim::Int) => target == Prim::Double,
        Ty::Prim(Prim::Double) => target == Prim::Int,
        _ => false,
    }
}

/// Whether two types can be compared with `==` / `!=`.
#[must_use]
pub fn equatable(a: &Ty, b: &Ty) -> bool {
    a.is_unknown() || b.is_unknown() || a == b || (a.is_numeric() && b.is_numeric())
}

/// Whether two types can be ordered with `<`, `>`, `<=`, `>=`.
#[must_use]
pub fn orderable(a: &Ty, b: &Ty) -> bool {
    if a.is_unknown() || b.is_unknown() {
        return true;
    }
    (a.is_numeric() && b.is_numeric())
        || (a == b && matches!(a, Ty::Prim(Prim::Str | Prim::Timestamp | Prim::Bool)))
}

/// Whether `in` / `contains` may look into a value of this type.
#[must_use]
pub fn is_collection(t: &Ty) -> bool {
    t.is_unknown()
        || matches!(
            t,
            Ty::Prim(Prim::Str | Prim::JsonArr | Prim::JsonObj) | Ty::Array(_) | Ty::Map(..)
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_implicit_conversions() {
        assert!(assignable(&Ty::INT, &Ty::DOUBLE));
        assert!(!assignable(&Ty::DOUBLE, &Ty::INT));
        assert!(assignable(&Ty::BOOL, &Ty::STR));
        assert!(!assignable(&Ty::STR, &Ty::INT));
        assert!(assignable(&Ty::Any, &Ty::INT));
        assert!(!assignable(&Ty::Void, &Ty::STR));
    }

    #[test]
    fn casts_follow_the_server() {
        assert!(castable(&Ty::STR, Prim::Int));
        assert!(castable(&Ty::STR, Prim::WfRunId));
        assert!(!castable(&Ty::BOOL, Prim::Int));
        assert!(castable(&Ty::BOOL, Prim::Str));
        assert!(!castable(&Ty::Struct("c".into()), Prim::Str));
    }
}
