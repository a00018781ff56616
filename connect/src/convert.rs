//! Record keys and values as Kafka Connect's converters read them, and the LittleHorse
//! `VariableValue` each becomes (as the connectors' `LHLibUtil.objToVarVal` maps Java objects).

use lhw_proto::littlehorse::VariableValue;
use lhw_proto::littlehorse::variable_value::Value;

use crate::config::ConfigError;

/// `key.converter` / `value.converter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Converter {
    /// `org.apache.kafka.connect.storage.StringConverter`: the bytes as UTF-8 text.
    String,
    /// `org.apache.kafka.connect.json.JsonConverter`; with `schemas.enable` (Connect's
    /// default) each record is a `{"schema": …, "payload": …}` envelope.
    Json {
        /// `*.converter.schemas.enable`.
        schemas_enable: bool,
    },
    /// `org.apache.kafka.connect.converters.ByteArrayConverter`: the bytes as they are.
    ByteArray,
}

/// A converted key or value.
#[derive(Debug, Clone, PartialEq)]
pub enum Datum {
    /// No bytes (a null key or a tombstone), or JSON `null`.
    Null,
    /// Text, a number, a boolean, an object or an array.
    Json(serde_json::Value),
    /// Raw bytes (ByteArrayConverter).
    Bytes(Vec<u8>),
}

impl Converter {
    /// Reads `<prefix>` and `<prefix>.schemas.enable`.
    pub fn from_config(
        key: &str,
        class: Option<&str>,
        schemas_enable: Option<bool>,
    ) -> Result<Converter, ConfigError> {
        match class {
            None | Some("org.apache.kafka.connect.json.JsonConverter") => Ok(Converter::Json {
                schemas_enable: schemas_enable.unwrap_or(true),
            }),
            Some("org.apache.kafka.connect.storage.StringConverter") => Ok(Converter::String),
            Some("org.apache.kafka.connect.converters.ByteArrayConverter") => {
                Ok(Converter::ByteArray)
            }
            Some(other) => Err(ConfigError::UnsupportedConverter {
                key: key.to_string(),
                class: other.to_string(),
            }),
        }
    }

    /// Converts the bytes of a key or value.
    pub fn decode(&self, bytes: Option<&[u8]>) -> Result<Datum, String> {
        let Some(bytes) = bytes else {
            return Ok(Datum::Null);
        };
        match self {
            Converter::ByteArray => Ok(Datum::Bytes(bytes.to_vec())),
            Converter::String => std::str::from_utf8(bytes)
                .map(|s| Datum::Json(serde_json::Value::String(s.to_string())))
                .map_err(|e| format!("not UTF-8 text: {e}")),
            Converter::Json { schemas_enable } => {
                let value: serde_json::Value = serde_json::from_slice(bytes)
                    .map_err(|e| format!("converting byte[] to Kafka Connect data failed due to serialization error: {e}"))?;
                let value = if *schemas_enable {
                    match value {
                        serde_json::Value::Object(mut o)
                            if o.len() == 2
                                && o.contains_key("schema")
                                && o.contains_key("payload") =>
                        {
                            o.remove("payload").unwrap_or_default()
                        }
                        serde_json::Value::Null => serde_json::Value::Null,
                        _ => {
                            return Err("JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.".into());
                        }
                    }
                } else {
                    value
                };
                Ok(match value {
                    serde_json::Value::Null => Datum::Null,
                    v => Datum::Json(v),
                })
            }
        }
    }
}

impl Datum {
    /// The value as a LittleHorse `VariableValue` (null → an empty value; whole numbers →
    /// INT; other numbers → DOUBLE; objects → JSON_OBJ; arrays → JSON_ARR; bytes → BYTES).
    pub fn to_variable_value(&self) -> VariableValue {
        match self {
            Datum::Null => VariableValue { value: None },
            Datum::Bytes(b) => VariableValue {
                value: Some(Value::Bytes(b.clone())),
            },
            Datum::Json(v) => json_to_variable_value(v),
        }
    }

    /// The datum as text, when it is a string (record keys naming a WfRun or correlation key).
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Datum::Json(serde_json::Value::String(s)) => Some(s),
            _ => None,
        }
    }
}

/// One JSON value as a `VariableValue`.
pub fn json_to_variable_value(v: &serde_json::Value) -> VariableValue {
    let value = match v {
        serde_json::Value::Null => None,
        serde_json::Value::Bool(b) => Some(Value::Bool(*b)),
        serde_json::Value::Number(n) => Some(match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Double(n.as_f64().unwrap_or(f64::NAN)),
        }),
        serde_json::Value::String(s) => Some(Value::Str(s.clone())),
        serde_json::Value::Object(_) => Some(Value::JsonObj(v.to_string())),
        serde_json::Value::Array(_) => Some(Value::JsonArr(v.to_string())),
    };
    VariableValue { value }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converters_read_what_connect_writes() {
        let json = Converter::Json {
            schemas_enable: false,
        };
        assert_eq!(
            json.decode(Some(br#"{"name":"Leia"}"#)).unwrap(),
            Datum::Json(serde_json::json!({"name": "Leia"}))
        );
        assert_eq!(json.decode(None).unwrap(), Datum::Null);
        assert!(json.decode(Some(b"{oops")).is_err());
        let enveloped = Converter::Json {
            schemas_enable: true,
        };
        assert_eq!(
            enveloped
                .decode(Some(br#"{"schema":{"type":"string"},"payload":"x"}"#))
                .unwrap()
                .as_str(),
            Some("x")
        );
        assert!(enveloped.decode(Some(br#"{"name":"Leia"}"#)).is_err());
        assert_eq!(
            Converter::String.decode(Some(b"abc")).unwrap().as_str(),
            Some("abc")
        );
    }

    #[test]
    fn values_map_like_obj_to_var_val() {
        let v = |j: serde_json::Value| json_to_variable_value(&j).value;
        assert_eq!(v(serde_json::json!(3)), Some(Value::Int(3)));
        assert_eq!(v(serde_json::json!(2.5)), Some(Value::Double(2.5)));
        assert_eq!(v(serde_json::json!("s")), Some(Value::Str("s".into())));
        assert_eq!(v(serde_json::json!(true)), Some(Value::Bool(true)));
        assert_eq!(
            v(serde_json::json!({"a": 1})),
            Some(Value::JsonObj(r#"{"a":1}"#.into()))
        );
        assert_eq!(
            v(serde_json::json!([1])),
            Some(Value::JsonArr("[1]".into()))
        );
        assert_eq!(v(serde_json::Value::Null), None);
    }
}
