//! The types the checker reasons about, and LittleHorse's conversion rules between them.

use crate::diag::a_or_an;
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
        // The server converts arrays and maps only to their own type: an `int[]` is not a
        // `double[]`.
        (Ty::Array(a), Ty::Array(b)) => same_element(a, b),
        (Ty::Map(ka, va), Ty::Map(kb, vb)) => same_element(ka, kb) && same_element(va, vb),
        _ => false,
    }
}

/// Element types of arrays and maps match exactly, or one is unknown (an error already
/// reported, or the elements of an empty or JSON-valued literal).
fn same_element(a: &Ty, b: &Ty) -> bool {
    a == b || a.is_unknown() || *b == Ty::Error
}

/// Whether `extend` (the statement or the method) may append a `v` to a `t`, as the server's
/// EXTEND does: a json-arr takes another json-arr, an array another array of its element
/// type or one element, a str any primitive as text, bytes other bytes.
#[must_use]
pub fn extendable(t: &Ty, v: &Ty) -> bool {
    if t.is_unknown() || v.is_unknown() {
        return true;
    }
    match t {
        Ty::Prim(Prim::JsonArr) => *v == Ty::Prim(Prim::JsonArr),
        Ty::Prim(Prim::Str) => v.is_prim(),
        Ty::Prim(Prim::Bytes) => *v == Ty::Prim(Prim::Bytes),
        Ty::Array(e) => match v {
            Ty::Array(x) => same_element(x, e),
            // A JSON array would be stored as one element (as text in a `str[]`).
            Ty::Prim(Prim::JsonArr) => **e == Ty::Prim(Prim::JsonArr),
            v => assignable(v, e),
        },
        _ => false,
    }
}

/// How to extend a value of type `t`, for diagnostics.
#[must_use]
pub fn extend_help(t: &Ty) -> String {
    match t {
        Ty::Prim(Prim::JsonArr) => {
            "a json-arr is extended with another json-arr, e.g. `[value]`; to append one element, write `list += value`".to_string()
        }
        Ty::Array(e) => format!(
            "extend {a_t} with one `{e}` or with another `{t}`; a JSON literal such as `[\"a\"]` is a json-arr, not an array"
        , a_t = a_or_an(&t)),
        Ty::Prim(Prim::Str) => "a str is extended with text or any primitive value".to_string(),
        Ty::Prim(Prim::Bytes) => "bytes are extended with other bytes".to_string(),
        _ => "`extend` appends to json-arr, arrays, str and bytes".to_string(),
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
        let ints = Ty::Array(Box::new(Ty::INT));
        let doubles = Ty::Array(Box::new(Ty::DOUBLE));
        assert!(assignable(&ints, &ints));
        assert!(!assignable(&ints, &doubles));
        let m = |v: Ty| Ty::Map(Box::new(Ty::STR), Box::new(v));
        assert!(!assignable(&m(Ty::INT), &m(Ty::DOUBLE)));
        assert!(assignable(&m(Ty::Any), &m(Ty::DOUBLE)));
    }

    #[test]
    fn extend_follows_the_server() {
        let strs = Ty::Array(Box::new(Ty::STR));
        let json_arr = Ty::Prim(Prim::JsonArr);
        assert!(extendable(&strs, &Ty::STR));
        assert!(extendable(&strs, &strs));
        assert!(!extendable(&strs, &json_arr));
        assert!(extendable(&json_arr, &json_arr));
        assert!(!extendable(&json_arr, &Ty::STR));
        assert!(extendable(&Ty::STR, &Ty::INT));
        assert!(!extendable(&Ty::INT, &Ty::INT));
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
