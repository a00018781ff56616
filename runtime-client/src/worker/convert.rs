//! Typed task inputs and outputs: how Rust values become LittleHorse `VariableValue`s and
//! back, and which LittleHorse type each Rust type declares in a TaskDef.
//!
//! | Rust | LittleHorse |
//! |---|---|
//! | `String` | `STR` |
//! | `i64`, `i32` | `INT` (an `i32` input out of range is an input error) |
//! | `f64` | `DOUBLE` (an `INT` input is accepted too) |
//! | `bool` | `BOOL` |
//! | `Vec<u8>` | `BYTES` |
//! | `SystemTime` | `TIMESTAMP` |
//! | [`Json<T>`] (`T: serde`) | `JSON_OBJ` (any serde type: structs, maps, ...) |
//! | [`JsonArr<T>`] (`T: serde`) | `JSON_ARR` |
//! | `Option<T>` | the type of `T`; `None` is an empty value (NULL) |
//! | `()` (output only) | no return type (a void task) |
//! | `VariableValue` | any type: passed through unchecked (a TaskDef cannot be derived) |

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lhw_proto::littlehorse::type_definition::DefinedType;
use lhw_proto::littlehorse::variable_value::Value;
use lhw_proto::littlehorse::{ReturnType, TypeDefinition, VariableType, VariableValue};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a value could not be converted. Its `Display` is the message reported.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConvertError {
    /// The value is of another type (`got`: its kind, `None` for NULL).
    Mismatch {
        /// The type expected.
        expected: String,
        /// The kind of value received; `None` for NULL.
        got: Option<String>,
    },
    /// An integer does not fit the Rust integer type.
    DoesNotFit {
        /// The value.
        value: i64,
        /// The Rust type.
        target: &'static str,
    },
    /// A time does not fit the Rust or protobuf type (`what` says which).
    OutOfRange {
        /// The value, worded.
        what: String,
    },
    /// A JSON input does not parse as the Rust type.
    JsonInput {
        /// serde_json's reason.
        reason: String,
    },
    /// An output cannot be written as JSON.
    JsonOutput {
        /// serde_json's reason.
        reason: String,
    },
    /// A `Json<_>` output is not an object, or a `JsonArr<_>` output not an array.
    JsonShape {
        /// `Json<_>` or `JsonArr<_>`.
        wrapper: &'static str,
        /// `object` or `array`.
        expected: &'static str,
        /// The JSON written.
        got: String,
    },
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConvertError::Mismatch {
                expected,
                got: Some(got),
            } => write!(f, "expected {expected}, got {got}"),
            ConvertError::Mismatch {
                expected,
                got: None,
            } => write!(
                f,
                "expected {expected}, got NULL (declare the parameter as Option<_> to accept NULL)"
            ),
            ConvertError::DoesNotFit { value, target } => {
                write!(f, "{value} does not fit in an {target}")
            }
            ConvertError::OutOfRange { what } => write!(f, "{what} is out of range"),
            ConvertError::JsonInput { reason } => write!(f, "cannot read the JSON input: {reason}"),
            ConvertError::JsonOutput { reason } => {
                write!(f, "cannot write the output as JSON: {reason}")
            }
            ConvertError::JsonShape {
                wrapper,
                expected,
                got,
            } => write!(
                f,
                "a {wrapper} output must serialize to a JSON {expected}, got {got}"
            ),
        }
    }
}

impl std::error::Error for ConvertError {}

/// A Rust type a task input can be converted into.
pub trait FromValue: Sized + Send + 'static {
    /// The LittleHorse type this Rust type stands for; `None` accepts any type (nothing is
    /// checked and no TaskDef input can be derived from it).
    fn type_def() -> Option<TypeDefinition>;

    /// Converts an input; `None` is an empty value (NULL).
    fn from_value(value: Option<Value>) -> Result<Self, ConvertError>;
}

/// A Rust type a task output can be converted from.
pub trait IntoValue: Send + 'static {
    /// The TaskDef return type: `Some(ReturnType { return_type: None })` for a void task,
    /// `None` when the type is not known statically (e.g. `VariableValue`).
    fn return_type() -> Option<ReturnType>;

    /// Converts the output.
    fn into_value(self) -> Result<VariableValue, ConvertError>;
}

/// A value serialized to JSON with serde: declared `JSON_OBJ`, read from `JSON_OBJ` or
/// `JSON_ARR`. Structs, maps and enums use this.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Json<T>(pub T);

/// A value serialized to a JSON array with serde: declared `JSON_ARR`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonArr<T>(pub T);

/// The `TypeDefinition` of a primitive type.
pub fn primitive(t: VariableType) -> TypeDefinition {
    TypeDefinition {
        defined_type: Some(DefinedType::PrimitiveType(t as i32)),
        masked: false,
    }
}

fn returns(t: VariableType) -> Option<ReturnType> {
    Some(ReturnType {
        return_type: Some(primitive(t)),
    })
}

fn value(v: Value) -> Result<VariableValue, ConvertError> {
    Ok(VariableValue { value: Some(v) })
}

/// The LittleHorse name of the kind of a value, for messages.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::JsonObj(_) => "json-obj",
        Value::JsonArr(_) => "json-arr",
        Value::Double(_) => "double",
        Value::Bool(_) => "bool",
        Value::Str(_) => "str",
        Value::Int(_) => "int",
        Value::Bytes(_) => "bytes",
        Value::WfRunId(_) => "wf-run-id",
        Value::UtcTimestamp(_) => "timestamp",
        _ => "a structured value",
    }
}

fn mismatch(expected: &str, got: Option<&Value>) -> ConvertError {
    match got {
        Some(v) => ConvertError::Mismatch {
            expected: expected.to_string(),
            got: Some(kind(v).to_string()),
        },
        None => ConvertError::Mismatch {
            expected: expected.to_string(),
            got: None,
        },
    }
}

impl FromValue for String {
    fn type_def() -> Option<TypeDefinition> {
        Some(primitive(VariableType::Str))
    }
    fn from_value(value: Option<Value>) -> Result<Self, ConvertError> {
        match value {
            Some(Value::Str(s)) => Ok(s),
            other => Err(mismatch("str", other.as_ref())),
        }
    }
}

impl IntoValue for String {
    fn return_type() -> Option<ReturnType> {
        returns(VariableType::Str)
    }
    fn into_value(self) -> Result<VariableValue, ConvertError> {
        value(Value::Str(self))
    }
}

impl IntoValue for &'static str {
    fn return_type() -> Option<ReturnType> {
        returns(VariableType::Str)
    }
    fn into_value(self) -> Result<VariableValue, ConvertError> {
        value(Value::Str(self.to_string()))
    }
}

impl FromValue for i64 {
    fn type_def() -> Option<TypeDefinition> {
        Some(primitive(VariableType::Int))
    }
    fn from_value(value: Option<Value>) -> Result<Self, ConvertError> {
        match value {
            Some(Value::Int(i)) => Ok(i),
            other => Err(mismatch("int", other.as_ref())),
        }
    }
}

impl IntoValue for i64 {
    fn return_type() -> Option<ReturnType> {
        returns(VariableType::Int)
    }
    fn into_value(self) -> Result<VariableValue, ConvertError> {
        value(Value::Int(self))
    }
}

impl FromValue for i32 {
    fn type_def() -> Option<TypeDefinition> {
        Some(primitive(VariableType::Int))
    }
    fn from_value(value: Option<Value>) -> Result<Self, ConvertError> {
        let i = i64::from_value(value)?;
        i32::try_from(i).map_err(|_| ConvertError::DoesNotFit {
            value: i,
            target: "i32",
        })
    }
}

impl IntoValue for i32 {
    fn return_type() -> Option<ReturnType> {
        returns(VariableType::Int)
    }
    fn into_value(self) -> Result<VariableValue, ConvertError> {
        value(Value::Int(i64::from(self)))
    }
}

impl FromValue for f64 {
    fn type_def() -> Option<TypeDefinition> {
        Some(primitive(VariableType::Double))
    }
    fn from_value(value: Option<Value>) -> Result<Self, ConvertError> {
        match value {
            Some(Value::Double(d)) => Ok(d),
            Some(Value::Int(i)) => Ok(i as f64),
            other => Err(mismatch("double", other.as_ref())),
        }
    }
}

impl IntoValue for f64 {
    fn return_type() -> Option<ReturnType> {
        returns(VariableType::Double)
    }
    fn into_value(self) -> Result<VariableValue, ConvertError> {
        value(Value::Double(self))
    }
}

impl FromValue for bool {
    fn type_def() -> Option<TypeDefinition> {
        Some(primitive(VariableType::Bool))
    }
    fn from_value(value: Option<Value>) -> Result<Self, ConvertError> {
        match value {
            Some(Value::Bool(b)) => Ok(b),
            other => Err(mismatch("bool", other.as_ref())),
        }
    }
}

impl IntoValue for bool {
    fn return_type() -> Option<ReturnType> {
        returns(VariableType::Bool)
    }
    fn into_value(self) -> Result<VariableValue, ConvertError> {
        value(Value::Bool(self))
    }
}

impl FromValue for Vec<u8> {
    fn type_def() -> Option<TypeDefinition> {
        Some(primitive(VariableType::Bytes))
    }
    fn from_value(value: Option<Value>) -> Result<Self, ConvertError> {
        match value {
            Some(Value::Bytes(b)) => Ok(b),
            other => Err(mismatch("bytes", other.as_ref())),
        }
    }
}

impl IntoValue for Vec<u8> {
    fn return_type() -> Option<ReturnType> {
        returns(VariableType::Bytes)
    }
    fn into_value(self) -> Result<VariableValue, ConvertError> {
        value(Value::Bytes(self))
    }
}

impl FromValue for SystemTime {
    fn type_def() -> Option<TypeDefinition> {
        Some(primitive(VariableType::Timestamp))
    }
    fn from_value(value: Option<Value>) -> Result<Self, ConvertError> {
        match value {
            Some(Value::UtcTimestamp(ts)) => {
                let nanos = u32::try_from(ts.nanos.clamp(0, 999_999_999)).unwrap_or(0);
                let since = Duration::new(ts.seconds.unsigned_abs(), nanos);
                let time = if ts.seconds >= 0 {
                    UNIX_EPOCH.checked_add(since)
                } else {
                    UNIX_EPOCH
                        .checked_sub(Duration::from_secs(ts.seconds.unsigned_abs()))
                        .and_then(|t| t.checked_add(Duration::from_nanos(u64::from(nanos))))
                };
                time.ok_or_else(|| ConvertError::OutOfRange {
                    what: format!("timestamp {}s", ts.seconds),
                })
            }
            other => Err(mismatch("timestamp", other.as_ref())),
        }
    }
}

impl IntoValue for SystemTime {
    fn return_type() -> Option<ReturnType> {
        returns(VariableType::Timestamp)
    }
    fn into_value(self) -> Result<VariableValue, ConvertError> {
        let ts = match self.duration_since(UNIX_EPOCH) {
            Ok(d) => pbjson_types::Timestamp {
                seconds: i64::try_from(d.as_secs()).map_err(|_| ConvertError::OutOfRange {
                    what: "the time".into(),
                })?,
                nanos: i32::try_from(d.subsec_nanos()).unwrap_or(0),
            },
            Err(before) => {
                let d = before.duration();
                let secs = i64::try_from(d.as_secs()).map_err(|_| ConvertError::OutOfRange {
                    what: "the time".into(),
                })?;
                let nanos = i32::try_from(d.subsec_nanos()).unwrap_or(0);
                if nanos == 0 {
                    pbjson_types::Timestamp {
                        seconds: -secs,
                        nanos: 0,
                    }
                } else {
                    pbjson_types::Timestamp {
                        seconds: -secs - 1,
                        nanos: 1_000_000_000 - nanos,
                    }
                }
            }
        };
        value(Value::UtcTimestamp(ts))
    }
}

fn parse_json<T: DeserializeOwned>(text: &str) -> Result<T, ConvertError> {
    serde_json::from_str(text).map_err(|e| ConvertError::JsonInput {
        reason: e.to_string(),
    })
}

impl<T: DeserializeOwned + Send + 'static> FromValue for Json<T> {
    fn type_def() -> Option<TypeDefinition> {
        Some(primitive(VariableType::JsonObj))
    }
    fn from_value(value: Option<Value>) -> Result<Self, ConvertError> {
        match value {
            Some(Value::JsonObj(s) | Value::JsonArr(s)) => parse_json(&s).map(Json),
            other => Err(mismatch("json-obj", other.as_ref())),
        }
    }
}

impl<T: Serialize + Send + 'static> IntoValue for Json<T> {
    fn return_type() -> Option<ReturnType> {
        returns(VariableType::JsonObj)
    }
    fn into_value(self) -> Result<VariableValue, ConvertError> {
        let v = serde_json::to_value(&self.0).map_err(|e| ConvertError::JsonOutput {
            reason: e.to_string(),
        })?;
        if !v.is_object() {
            return Err(ConvertError::JsonShape {
                wrapper: "Json<_>",
                expected: "object",
                got: v.to_string(),
            });
        }
        value(Value::JsonObj(v.to_string()))
    }
}

impl<T: DeserializeOwned + Send + 'static> FromValue for JsonArr<T> {
    fn type_def() -> Option<TypeDefinition> {
        Some(primitive(VariableType::JsonArr))
    }
    fn from_value(value: Option<Value>) -> Result<Self, ConvertError> {
        match value {
            Some(Value::JsonArr(s) | Value::JsonObj(s)) => parse_json(&s).map(JsonArr),
            other => Err(mismatch("json-arr", other.as_ref())),
        }
    }
}

impl<T: Serialize + Send + 'static> IntoValue for JsonArr<T> {
    fn return_type() -> Option<ReturnType> {
        returns(VariableType::JsonArr)
    }
    fn into_value(self) -> Result<VariableValue, ConvertError> {
        let v = serde_json::to_value(&self.0).map_err(|e| ConvertError::JsonOutput {
            reason: e.to_string(),
        })?;
        if !v.is_array() {
            return Err(ConvertError::JsonShape {
                wrapper: "JsonArr<_>",
                expected: "array",
                got: v.to_string(),
            });
        }
        value(Value::JsonArr(v.to_string()))
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn type_def() -> Option<TypeDefinition> {
        T::type_def()
    }
    fn from_value(value: Option<Value>) -> Result<Self, ConvertError> {
        match value {
            None => Ok(None),
            some => T::from_value(some).map(Some),
        }
    }
}

impl<T: IntoValue> IntoValue for Option<T> {
    fn return_type() -> Option<ReturnType> {
        T::return_type()
    }
    fn into_value(self) -> Result<VariableValue, ConvertError> {
        match self {
            None => Ok(VariableValue::default()),
            Some(v) => v.into_value(),
        }
    }
}

impl IntoValue for () {
    fn return_type() -> Option<ReturnType> {
        Some(ReturnType { return_type: None })
    }
    fn into_value(self) -> Result<VariableValue, ConvertError> {
        Ok(VariableValue::default())
    }
}

impl FromValue for VariableValue {
    fn type_def() -> Option<TypeDefinition> {
        None
    }
    fn from_value(value: Option<Value>) -> Result<Self, ConvertError> {
        Ok(VariableValue { value })
    }
}

impl IntoValue for VariableValue {
    fn return_type() -> Option<ReturnType> {
        None
    }
    fn into_value(self) -> Result<VariableValue, ConvertError> {
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: FromValue + IntoValue + Clone + PartialEq + fmt::Debug>(v: T) {
        let encoded = v.clone().into_value().expect("encodes");
        let decoded = T::from_value(encoded.value).expect("decodes");
        assert_eq!(decoded, v);
    }

    #[test]
    fn primitives_round_trip() {
        round_trip("héllo".to_string());
        round_trip(i64::MIN);
        round_trip(-7_i32);
        round_trip(2.5_f64);
        round_trip(true);
        round_trip(vec![0_u8, 255, 7]);
        round_trip(Some(3_i64));
        round_trip(None::<String>);
        round_trip(UNIX_EPOCH + Duration::new(1_700_000_000, 123_000_000));
        round_trip(UNIX_EPOCH - Duration::new(5, 250_000_000));
    }

    #[test]
    fn json_round_trips_and_checks_its_shape() {
        let obj = Json(serde_json::json!({"a": [1, 2], "b": null}));
        round_trip(obj);
        round_trip(JsonArr(vec!["x".to_string(), "y".to_string()]));
        let err = Json(vec![1, 2])
            .into_value()
            .expect_err("array is not an object");
        assert!(
            matches!(
                err,
                ConvertError::JsonShape {
                    expected: "object",
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(
            err.to_string().contains("must serialize to a JSON object"),
            "{err}"
        );
        let err = Json::<Vec<i32>>::from_value(Some(Value::JsonObj("{\"a\":1}".into())))
            .expect_err("wrong shape");
        assert!(matches!(err, ConvertError::JsonInput { .. }), "{err:?}");
        assert!(
            err.to_string().starts_with("cannot read the JSON input"),
            "{err}"
        );
    }

    #[test]
    fn mismatches_name_both_types() {
        let err = String::from_value(Some(Value::Int(3))).expect_err("int is not str");
        assert_eq!(err.to_string(), "expected str, got int");
        let err = i64::from_value(None).expect_err("null");
        assert!(
            matches!(err, ConvertError::Mismatch { got: None, .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("got NULL"), "{err}");
        let err = i32::from_value(Some(Value::Int(1 << 40))).expect_err("range");
        assert_eq!(
            err,
            ConvertError::DoesNotFit {
                value: 1 << 40,
                target: "i32"
            }
        );
        assert_eq!(err.to_string(), "1099511627776 does not fit in an i32");
        assert_eq!(f64::from_value(Some(Value::Int(2))), Ok(2.0));
    }

    #[test]
    fn declared_types() {
        assert_eq!(
            <Option<bool> as FromValue>::type_def(),
            Some(primitive(VariableType::Bool))
        );
        assert_eq!(
            <() as IntoValue>::return_type(),
            Some(ReturnType { return_type: None })
        );
        assert_eq!(<VariableValue as FromValue>::type_def(), None);
        assert_eq!(
            <JsonArr<Vec<i64>> as IntoValue>::return_type(),
            returns(VariableType::JsonArr)
        );
    }
}
