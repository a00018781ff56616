//! The fast parser's literals, strings and types.

use super::cursor::{P, is_ident_char};
use crate::ast::*;

/// The primitive type words (`prim_ty`).
fn prim(word: &str) -> Option<Prim> {
    Some(match word {
        "str" => Prim::Str,
        "int" => Prim::Int,
        "double" => Prim::Double,
        "bool" => Prim::Bool,
        "json-arr" => Prim::JsonArr,
        "bytes" => Prim::Bytes,
        "timestamp" => Prim::Timestamp,
        "wf-run-id" => Prim::WfRunId,
        "json" | "json-obj" => Prim::JsonObj,
        _ => return None,
    })
}

impl P<'_> {
    /// A number literal at the position (`duration | double | int`); `None` when none
    /// matches or its value is out of range (the tree builder reports that).
    pub(super) fn number(&mut self) -> Option<Expr> {
        let start = self.pos;
        let b = self.b;
        let mut i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        let digits = &self.s[start..i];
        // duration: digits ~ ("ms" | "s" | "m" | "h" | "d") ~ !ident_char
        let unit: Option<(usize, u64)> = match b.get(i) {
            Some(b'm') if b.get(i + 1) == Some(&b's') => Some((2, 1)),
            Some(b's') => Some((1, 1_000)),
            Some(b'm') => Some((1, 60_000)),
            Some(b'h') => Some((1, 3_600_000)),
            Some(b'd') => Some((1, 86_400_000)),
            _ => None,
        };
        if let Some((len, factor)) = unit
            && !b.get(i + len).copied().is_some_and(is_ident_char)
        {
            let ms = digits.parse::<u64>().ok()?.checked_mul(factor)?;
            if ms > i64::MAX as u64 {
                return None;
            }
            self.pos = i + len;
            return Some(Expr {
                kind: ExprKind::Duration(ms),
                span: self.span(start, self.pos),
            });
        }
        // double: digits "." digits (("e" | "E") ("+" | "-")? digits)?
        if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            let mut j = i + 1;
            while b.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            if matches!(b.get(j), Some(b'e' | b'E')) {
                let mut k = j + 1;
                if matches!(b.get(k), Some(b'+' | b'-')) {
                    k += 1;
                }
                let digits_start = k;
                while b.get(k).is_some_and(u8::is_ascii_digit) {
                    k += 1;
                }
                if k > digits_start {
                    j = k;
                }
            }
            let d: f64 = self.s[start..j].parse().ok()?;
            if !d.is_finite() {
                return None;
            }
            self.pos = j;
            return Some(Expr {
                kind: ExprKind::Double(d),
                span: self.span(start, j),
            });
        }
        // int: digits ~ !ident_char
        if b.get(i).copied().is_some_and(is_ident_char) {
            return None;
        }
        let n: i64 = digits.parse().ok()?;
        self.pos = i;
        Some(Expr {
            kind: ExprKind::Int(n),
            span: self.span(start, i),
        })
    }

    /// A string literal at the position (at its `"`). `None` for what the tree builder
    /// reports (an unknown escape, an invalid unicode escape) and for `{{` (a hole holding
    /// a JSON object, or a literal brace: pest decides).
    pub(super) fn string(&mut self) -> Option<StrLit> {
        let start = self.pos;
        if !self.eat("\"") {
            return None;
        }
        let mut parts: Vec<StrPart> = Vec::new();
        let push_text = |parts: &mut Vec<StrPart>, s: &str| match parts.last_mut() {
            Some(StrPart::Text(t)) => t.push_str(s),
            _ => parts.push(StrPart::Text(s.to_string())),
        };
        loop {
            let c = self.peek()?;
            match c {
                b'"' => {
                    self.pos += 1;
                    break;
                }
                b'\n' | b'\r' => return None,
                b'\\' => {
                    let decoded = match self.peek_at(self.pos + 1)? {
                        b'n' => '\n',
                        b't' => '\t',
                        b'r' => '\r',
                        b'"' => '"',
                        b'\\' => '\\',
                        b'{' => '{',
                        b'}' => '}',
                        b'u' => {
                            if self.peek_at(self.pos + 2) != Some(b'{') {
                                return None;
                            }
                            let hex_start = self.pos + 3;
                            let mut j = hex_start;
                            while j < hex_start + 6
                                && self.peek_at(j).is_some_and(|h| h.is_ascii_hexdigit())
                            {
                                j += 1;
                            }
                            if j == hex_start || self.peek_at(j) != Some(b'}') {
                                return None;
                            }
                            let code = u32::from_str_radix(&self.s[hex_start..j], 16).ok()?;
                            let ch = char::from_u32(code)?;
                            push_text(&mut parts, ch.encode_utf8(&mut [0; 4]));
                            self.pos = j + 1;
                            continue;
                        }
                        _ => return None,
                    };
                    push_text(&mut parts, decoded.encode_utf8(&mut [0; 4]));
                    self.pos += 2;
                }
                b'{' => {
                    if self.peek_at(self.pos + 1) == Some(b'{') {
                        return None;
                    }
                    self.pos += 1;
                    let e = self.expr()?;
                    self.expect("}")?;
                    parts.push(StrPart::Hole(e));
                }
                b'}' => {
                    if self.peek_at(self.pos + 1) != Some(b'}') {
                        return None;
                    }
                    push_text(&mut parts, "}");
                    self.pos += 2;
                }
                _ => {
                    let run_start = self.pos;
                    while self
                        .peek()
                        .is_some_and(|c| !matches!(c, b'"' | b'\\' | b'{' | b'}' | b'\n' | b'\r'))
                    {
                        self.pos += 1;
                    }
                    push_text(&mut parts, &self.s[run_start..self.pos]);
                }
            }
        }
        Some(StrLit {
            parts: super::fit(parts),
            span: self.span(start, self.pos),
        })
    }

    /// A type (`ty`) at the position.
    pub(super) fn ty(&mut self) -> Option<TypeExpr> {
        self.enter()?;
        let ty = self.ty_inner();
        self.leave();
        ty
    }

    fn ty_inner(&mut self) -> Option<TypeExpr> {
        let start = self.pos;
        let base = if self.at("map") && {
            let mut q = P::new(self.s, 0, self.pos + 3, 0);
            q.skip();
            q.peek() == Some(b'<')
        } {
            self.pos += 3;
            self.expect("<")?;
            self.skip();
            let k = self.ty()?;
            self.expect(",")?;
            self.skip();
            let v = self.ty()?;
            self.expect(">")?;
            TypeExpr::Map(Box::new(k), Box::new(v), self.span(start, self.pos))
        } else if let Some(p) = prim(self.word()) {
            self.pos += self.word().len();
            TypeExpr::Prim(p, self.span(start, self.pos))
        } else {
            let name = self.ident_with(true)?;
            let after = self.pos;
            self.skip();
            if self.kw("version") {
                self.skip();
                let n_start = self.pos;
                let Some(Expr {
                    kind: ExprKind::Int(_),
                    ..
                }) = self.number()
                else {
                    return None;
                };
                let digits = &self.s[n_start..self.pos];
                TypeExpr::Pinned {
                    name,
                    version: (
                        digits.parse().unwrap_or(i64::MAX),
                        self.span(n_start, self.pos),
                    ),
                    span: self.span(start, self.pos),
                }
            } else {
                self.pos = after;
                TypeExpr::Named(name)
            }
        };
        let mut arrays = 0usize;
        loop {
            let before = self.pos;
            if self.punct("[") && self.punct("]") {
                arrays += 1;
                if arrays > 8 {
                    return None;
                }
            } else {
                self.pos = before;
                break;
            }
        }
        let span = self.span(start, self.pos);
        let mut ty = base;
        for _ in 0..arrays {
            ty = TypeExpr::Array(Box::new(ty), span);
        }
        Some(ty)
    }
}
