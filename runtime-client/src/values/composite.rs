//! Arrays, maps and structs from JSON text: `--var skus='["a","b"]'` for a `str[]`,
//! `'{"a": 1}'` for a `map<str, int>`, `'{"street": "Main"}'` for a struct. Every element
//! is checked against its declared type, so a wrong value is refused before it is sent.

use std::collections::BTreeMap;

use lhw_proto::littlehorse::type_definition::DefinedType;
use lhw_proto::littlehorse::variable_value::Value;
use lhw_proto::littlehorse::{
    Array, InlineStruct, InlineStructDef, Map, Struct, StructDefId, StructField, TypeDefinition,
    VariableType, VariableValue, map,
};
use serde_json::Value as Json;

use super::{parse_timestamp, type_name};

/// The fields of the StructDefs a value may use, by StructDef name.
pub type StructDefs = BTreeMap<String, InlineStructDef>;

/// Parses JSON text as a value of the array, map or struct type `t`.
pub fn parse_composite(
    text: &str,
    t: &TypeDefinition,
    structs: &StructDefs,
) -> Result<VariableValue, String> {
    let json: Json = serde_json::from_str(text)
        .map_err(|e| format!("\"{text}\" is not valid JSON for {}: {e}", type_name(t)))?;
    from_json(&json, t, structs, "")
}

/// `at` is the path of the element (`[2]`, `.street`) for error messages.
fn from_json(
    json: &Json,
    t: &TypeDefinition,
    structs: &StructDefs,
    at: &str,
) -> Result<VariableValue, String> {
    let wrong = || {
        let place = if at.is_empty() {
            String::new()
        } else {
            format!(" at {at}")
        };
        format!("{json}{place} is not a {}", type_name(t))
    };
    if json.is_null() {
        return Ok(VariableValue::default());
    }
    let value = match &t.defined_type {
        Some(DefinedType::PrimitiveType(p)) => match VariableType::try_from(*p) {
            Ok(VariableType::Str) => Value::Str(json.as_str().ok_or_else(wrong)?.to_string()),
            Ok(VariableType::Int) => Value::Int(json.as_i64().ok_or_else(wrong)?),
            Ok(VariableType::Double) => Value::Double(json.as_f64().ok_or_else(wrong)?),
            Ok(VariableType::Bool) => Value::Bool(json.as_bool().ok_or_else(wrong)?),
            Ok(VariableType::JsonObj) if json.is_object() => Value::JsonObj(json.to_string()),
            Ok(VariableType::JsonArr) if json.is_array() => Value::JsonArr(json.to_string()),
            Ok(VariableType::Bytes) => {
                Value::Bytes(json.as_str().ok_or_else(wrong)?.as_bytes().to_vec())
            }
            Ok(VariableType::WfRunId) => Value::WfRunId(crate::ids::parse_wf_run_id(
                json.as_str().ok_or_else(wrong)?,
            )),
            Ok(VariableType::Timestamp) => {
                let text = match json {
                    Json::String(s) => s.clone(),
                    Json::Number(n) => n.to_string(),
                    _ => return Err(wrong()),
                };
                Value::UtcTimestamp(parse_timestamp(&text)?)
            }
            _ => return Err(wrong()),
        },
        Some(DefinedType::InlineArrayDef(def)) => {
            let items = json.as_array().ok_or_else(wrong)?;
            let elem = def.array_type.as_deref().cloned().unwrap_or_default();
            let items = items
                .iter()
                .enumerate()
                .map(|(i, item)| from_json(item, &elem, structs, &format!("{at}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            Value::Array(Array {
                items,
                element_type: def.array_type.as_deref().cloned(),
            })
        }
        Some(DefinedType::InlineMapDef(def)) => {
            let object = json.as_object().ok_or_else(wrong)?;
            let key_type = def.key_type.as_deref().cloned().unwrap_or_default();
            let value_type = def.value_type.as_deref().cloned().unwrap_or_default();
            let mut entries = Vec::new();
            for (k, v) in object {
                let key = super::parse_value(k, &key_type)
                    .map_err(|e| format!("key {k:?}{}: {e}", in_place(at)))?;
                let value = from_json(v, &value_type, structs, &format!("{at}.{k}"))?;
                entries.push(map::Entry {
                    key: Some(key),
                    value: Some(value),
                });
            }
            Value::Map(Map {
                entries,
                map_type: Some(def.as_ref().clone()),
            })
        }
        Some(DefinedType::StructDefId(id)) => {
            let def = structs
                .get(&id.name)
                .ok_or_else(|| format!("StructDef `{}` is not known to the server", id.name))?;
            Value::Struct(structure(json, Some(id), def, structs, at, wrong)?)
        }
        Some(DefinedType::InlineStructDef(def)) => {
            Value::Struct(structure(json, None, def, structs, at, wrong)?)
        }
        None => return Err(format!("{json}{}: the type is unknown", in_place(at))),
    };
    Ok(VariableValue { value: Some(value) })
}

fn in_place(at: &str) -> String {
    if at.is_empty() {
        String::new()
    } else {
        format!(" at {at}")
    }
}

fn structure(
    json: &Json,
    id: Option<&StructDefId>,
    def: &InlineStructDef,
    structs: &StructDefs,
    at: &str,
    wrong: impl Fn() -> String,
) -> Result<Struct, String> {
    let object = json.as_object().ok_or_else(&wrong)?;
    if let Some(unknown) = object.keys().find(|k| !def.fields.contains_key(*k)) {
        let known: Vec<&str> = def.fields.keys().map(String::as_str).collect();
        return Err(format!(
            "{}{} has no field `{unknown}` (its fields: {})",
            id.map_or_else(
                || "the struct".to_string(),
                |i| format!("struct {}", i.name)
            ),
            in_place(at),
            known.join(", ")
        ));
    }
    let mut fields = BTreeMap::new();
    for (name, field) in &def.fields {
        let field_type = field.field_type.clone().unwrap_or_default();
        let value = match object.get(name) {
            Some(v) => from_json(v, &field_type, structs, &format!("{at}.{name}"))?,
            None => match &field.default_value {
                Some(d) => d.clone(),
                None if field.is_nullable => VariableValue::default(),
                None => {
                    return Err(format!(
                        "field `{name}`{} is required ({})",
                        in_place(at),
                        type_name(&field_type)
                    ));
                }
            },
        };
        fields.insert(
            name.clone(),
            StructField {
                value: Some(value),
                masked: field_type.masked,
            },
        );
    }
    Ok(Struct {
        struct_def_id: id.cloned(),
        r#struct: Some(InlineStruct {
            fields: fields.into_iter().collect(),
        }),
    })
}

#[cfg(test)]
mod tests {
    use lhw_proto::littlehorse::{InlineArrayDef, InlineMapDef, StructFieldDef};

    use super::*;

    fn prim(t: VariableType) -> TypeDefinition {
        TypeDefinition {
            defined_type: Some(DefinedType::PrimitiveType(t as i32)),
            masked: false,
        }
    }

    fn array_of(t: TypeDefinition) -> TypeDefinition {
        TypeDefinition {
            defined_type: Some(DefinedType::InlineArrayDef(Box::new(InlineArrayDef {
                array_type: Some(Box::new(t)),
            }))),
            masked: false,
        }
    }

    #[test]
    fn typed_arrays_and_maps_check_every_element() {
        let strs = array_of(prim(VariableType::Str));
        let v = parse_composite(r#"["sku-1", "sku-2"]"#, &strs, &StructDefs::new()).expect("ok");
        let Some(Value::Array(a)) = v.value else {
            panic!("not an array: {v:?}")
        };
        assert_eq!(a.items.len(), 2);
        let err = parse_composite(r#"["sku-1", 2]"#, &strs, &StructDefs::new()).expect_err("bad");
        assert_eq!(err, "2 at [1] is not a str");
        let map = TypeDefinition {
            defined_type: Some(DefinedType::InlineMapDef(Box::new(InlineMapDef {
                key_type: Some(Box::new(prim(VariableType::Str))),
                value_type: Some(Box::new(prim(VariableType::Int))),
            }))),
            masked: false,
        };
        let v = parse_composite(r#"{"a": 1}"#, &map, &StructDefs::new()).expect("map");
        assert!(matches!(v.value, Some(Value::Map(m)) if m.entries.len() == 1));
        let err = parse_composite(r#"{"a": "x"}"#, &map, &StructDefs::new()).expect_err("bad");
        assert_eq!(err, "\"x\" at .a is not a int");
    }

    #[test]
    fn structs_are_checked_against_their_def() {
        let mut structs = StructDefs::new();
        let mut fields = BTreeMap::new();
        fields.insert(
            "street".to_string(),
            StructFieldDef {
                field_type: Some(prim(VariableType::Str)),
                default_value: None,
                is_nullable: false,
                description: None,
            },
        );
        structs.insert(
            "address".into(),
            InlineStructDef {
                fields: fields.into_iter().collect(),
            },
        );
        let t = TypeDefinition {
            defined_type: Some(DefinedType::StructDefId(StructDefId {
                name: "address".into(),
                version: 0,
            })),
            masked: false,
        };
        let v = parse_composite(r#"{"street": "Main"}"#, &t, &structs).expect("struct");
        assert!(matches!(v.value, Some(Value::Struct(_))));
        let err = parse_composite(r#"{"road": "Main"}"#, &t, &structs).expect_err("bad");
        assert!(
            err.contains("has no field `road` (its fields: street)"),
            "{err}"
        );
        let err = parse_composite("{}", &t, &structs).expect_err("missing");
        assert!(err.contains("field `street` is required"), "{err}");
    }
}
