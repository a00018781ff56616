//! A direct writer of pretty JSON for the serde data model, byte for byte what
//! `serde_json::to_string_pretty` writes (2-space indentation, `": "` after keys, `[]` and
//! `{}` for empty containers, serde_json's string escapes and number formats).
//!
//! Why: the generated serde impls (pbjson) drive a serializer field by field; serde_json's
//! `PrettyFormatter` writes each indentation level as its own 2-byte write and escapes every
//! field name byte by byte. For a WfSpec of 10,000 statements that was 108 M instructions,
//! a quarter of a compile (docs/performance.md). This serializer writes an indentation in one
//! copy, copies strings that need no escape (almost all) whole, and flushes to a sink in large
//! chunks.
//!
//! Only what pbjson's impls use is written here (structs, maps with string or integer keys,
//! sequences, strings, booleans, integers, floats, options, unit variants, newtype structs);
//! anything else answers [`Error::Unsupported`] and the caller serializes the message with
//! serde_json instead, so the output never differs. `tests::pretty_json` compares the two on
//! every message the compiler emits for the repository's `.lhw` files and on generated values.

use std::fmt;
use std::io;

use serde::Serialize;
use serde::ser::{self, Impossible};

/// Why the fast writer stopped.
#[derive(Debug)]
pub(crate) enum Error {
    /// A part of the serde data model this writer does not produce (the caller falls back to
    /// serde_json, which does).
    Unsupported,
    /// The message refused to serialize (e.g. an out-of-range Timestamp); serde_json reports
    /// the same message.
    Custom(String),
    /// The sink failed.
    Io(io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Unsupported => f.write_str("not supported by the fast JSON writer"),
            Error::Custom(msg) => f.write_str(msg),
            Error::Io(err) => write!(f, "{err}"),
        }
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::Custom(msg.to_string())
    }
}

/// Bytes buffered before they go to the sink.
const CHUNK: usize = 64 * 1024;

/// 64 levels of indentation in one slice; deeper levels are written in several copies.
const SPACES: &[u8; 128] = &[b' '; 128];

/// The serializer: the output so far (not yet flushed), the nesting depth, and where full
/// chunks go (`None`: everything stays in `out`).
pub(crate) struct Pretty<'s> {
    out: Vec<u8>,
    depth: usize,
    sink: Option<&'s mut dyn io::Write>,
    /// Whether any byte has reached the sink (then a fallback can no longer start over).
    pub(crate) flushed: bool,
}

impl<'s> Pretty<'s> {
    /// A writer that keeps the whole document.
    pub(crate) fn to_vec() -> Pretty<'static> {
        Pretty {
            out: Vec::with_capacity(4096),
            depth: 0,
            sink: None,
            flushed: false,
        }
    }

    /// A writer that hands `sink` the document in chunks of about [`CHUNK`] bytes.
    pub(crate) fn to_sink(sink: &'s mut dyn io::Write) -> Pretty<'s> {
        Pretty {
            out: Vec::with_capacity(CHUNK + 4096),
            depth: 0,
            sink: Some(sink),
            flushed: false,
        }
    }

    /// The bytes kept (all of them for [`Pretty::to_vec`]).
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.out
    }

    /// Sends what is buffered to the sink, if there is one.
    pub(crate) fn finish(&mut self) -> Result<(), Error> {
        if let Some(sink) = self.sink.as_mut()
            && !self.out.is_empty()
        {
            sink.write_all(&self.out).map_err(Error::Io)?;
            self.out.clear();
            self.flushed = true;
        }
        Ok(())
    }

    fn maybe_flush(&mut self) -> Result<(), Error> {
        if self.out.len() >= CHUNK && self.sink.is_some() {
            self.finish()?;
        }
        Ok(())
    }

    /// A line break and the current indentation.
    fn newline(&mut self) {
        let mut n = 2 * self.depth;
        self.out.reserve(n + 1);
        self.out.push(b'\n');
        while n > 0 {
            let k = n.min(SPACES.len());
            self.out.extend_from_slice(&SPACES[..k]);
            n -= k;
        }
    }

    /// A JSON string: copied whole when no byte needs an escape, else escaped by serde_json.
    fn string(&mut self, s: &str) {
        let bytes = s.as_bytes();
        if !needs_escape(bytes) {
            self.out.reserve(bytes.len() + 2);
            self.out.push(b'"');
            self.out.extend_from_slice(bytes);
            self.out.push(b'"');
        } else {
            // Writing into a Vec cannot fail.
            let _ = serde_json::to_writer(&mut self.out, s);
        }
    }

    /// A scalar, written as serde_json writes it (numbers' formats are serde_json's own).
    fn scalar<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        serde_json::to_writer(&mut self.out, value).map_err(|e| Error::Custom(e.to_string()))
    }

    fn integer<T: fmt::Display>(&mut self, value: T) {
        use std::io::Write as _;
        // Writing into a Vec cannot fail.
        let _ = write!(self.out, "{value}");
    }
}

/// Whether serde_json escapes any byte of `bytes`: a control character (below 0x20), `"` or
/// `\`. Eight bytes at a time: `(x - 0x01..) & !x & 0x80..` has a high bit set exactly when
/// some byte of `x` is zero (and `(x - n * 0x01..) & !x & 0x80..` when some byte is below
/// `n`, for `n <= 0x80`).
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let control = x.wrapping_sub(ONES * 0x20) & !x;
        let q = x ^ (ONES * u64::from(b'"'));
        let quote = q.wrapping_sub(ONES) & !q;
        let b = x ^ (ONES * u64::from(b'\\'));
        let backslash = b.wrapping_sub(ONES) & !b;
        if (control | quote | backslash) & HIGHS != 0 {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

/// Where a container is: closed already (empty, written as `[]` / `{}`), before its first
/// element, or after one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Empty,
    First,
    Rest,
}

/// An open array or object.
pub(crate) struct Compound<'a, 's> {
    ser: &'a mut Pretty<'s>,
    state: State,
    close: u8,
}

impl Compound<'_, '_> {
    /// Before an element or a key: `\n` or `,\n`, then the indentation.
    fn next(&mut self) {
        if self.state == State::Rest {
            self.ser.out.push(b',');
        }
        self.state = State::Rest;
        self.ser.newline();
    }

    fn close(self) -> Result<(), Error> {
        match self.state {
            State::Empty => {}
            State::First => {
                self.ser.depth -= 1;
                self.ser.out.push(self.close);
            }
            State::Rest => {
                self.ser.depth -= 1;
                self.ser.newline();
                self.ser.out.push(self.close);
            }
        }
        Ok(())
    }
}

impl<'a, 's> Pretty<'s> {
    fn open(&'a mut self, open: u8, close: u8, len: Option<usize>) -> Compound<'a, 's> {
        self.out.push(open);
        if len == Some(0) {
            self.out.push(close);
            Compound {
                ser: self,
                state: State::Empty,
                close,
            }
        } else {
            self.depth += 1;
            Compound {
                ser: self,
                state: State::First,
                close,
            }
        }
    }
}

impl<'a, 's> ser::Serializer for &'a mut Pretty<'s> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a, 's>;
    type SerializeTuple = Compound<'a, 's>;
    type SerializeTupleStruct = Compound<'a, 's>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Compound<'a, 's>;
    type SerializeStruct = Compound<'a, 's>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.scalar(&v)
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.scalar(&v)
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        let mut buf = [0; 4];
        self.string(v.encode_utf8(&mut buf));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.string(v);
        Ok(())
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<(), Error> {
        Err(Error::Unsupported)
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.string(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), Error> {
        Err(Error::Unsupported)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Compound<'a, 's>, Error> {
        Ok(self.open(b'[', b']', len))
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'a, 's>, Error> {
        Ok(self.open(b'[', b']', Some(len)))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'a, 's>, Error> {
        Ok(self.open(b'[', b']', Some(len)))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(Error::Unsupported)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Compound<'a, 's>, Error> {
        Ok(self.open(b'{', b'}', len))
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Compound<'a, 's>, Error> {
        // serde_json's private tokens (raw values, arbitrary-precision numbers) are its own.
        if name.starts_with("$serde_json") {
            return Err(Error::Unsupported);
        }
        Ok(self.open(b'{', b'}', Some(len)))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(Error::Unsupported)
    }
}

impl ser::SerializeSeq for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.next();
        value.serialize(&mut *self.ser)?;
        self.ser.maybe_flush()
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeTuple for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeTupleStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.next();
        key.serialize(KeyWriter(&mut *self.ser))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.ser.out.extend_from_slice(b": ");
        value.serialize(&mut *self.ser)?;
        self.ser.maybe_flush()
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.next();
        self.ser.string(key);
        self.ser.out.extend_from_slice(b": ");
        value.serialize(&mut *self.ser)?;
        self.ser.maybe_flush()
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

/// A map key: strings as they are, integers quoted (as serde_json's `MapKeySerializer`);
/// any other key is left to serde_json.
struct KeyWriter<'a, 's>(&'a mut Pretty<'s>);

impl KeyWriter<'_, '_> {
    fn quoted<T: fmt::Display>(self, v: T) -> Result<(), Error> {
        self.0.out.push(b'"');
        self.0.integer(v);
        self.0.out.push(b'"');
        Ok(())
    }
}

impl ser::Serializer for KeyWriter<'_, '_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Impossible<(), Error>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.0.string(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        let mut buf = [0; 4];
        self.0.string(v.encode_utf8(&mut buf));
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.0.string(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_bool(self, _v: bool) -> Result<(), Error> {
        Err(Error::Unsupported)
    }
    fn serialize_f32(self, _v: f32) -> Result<(), Error> {
        Err(Error::Unsupported)
    }
    fn serialize_f64(self, _v: f64) -> Result<(), Error> {
        Err(Error::Unsupported)
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<(), Error> {
        Err(Error::Unsupported)
    }
    fn serialize_none(self) -> Result<(), Error> {
        Err(Error::Unsupported)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<(), Error> {
        Err(Error::Unsupported)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        Err(Error::Unsupported)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        Err(Error::Unsupported)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), Error> {
        Err(Error::Unsupported)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(Error::Unsupported)
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        Err(Error::Unsupported)
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(Error::Unsupported)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(Error::Unsupported)
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(Error::Unsupported)
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        Err(Error::Unsupported)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(Error::Unsupported)
    }
}
