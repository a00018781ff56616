//! Reading and changing part of a value at an `LHPath` (`card.tier`, `tags[2]`,
//! `scores["ann"]`): structs, arrays and maps keep their types on the way, JSON values
//! are walked as JSON.

use crate::paths::{self, Step};
use crate::values;
use lhw_proto::littlehorse::{StructField, VariableValue, map, variable_value::Value};

/// The part of `v` at `steps`; a missing field, index or key is an error.
pub(crate) fn get(v: &VariableValue, steps: &[Step]) -> Result<VariableValue, String> {
    let Some((first, rest)) = steps.split_first() else {
        return Ok(v.clone());
    };
    match (&v.value, first) {
        (Some(Value::Struct(s)), Step::Key(k)) => {
            let field = s
                .r#struct
                .as_ref()
                .and_then(|i| i.fields.get(k))
                .ok_or_else(|| format!("the struct has no field \"{k}\""))?;
            get(&field.value.clone().unwrap_or_default(), rest)
        }
        (Some(Value::Array(a)), Step::Index(i)) => get(
            a.items.get(*i).ok_or_else(|| format!("no index {i}"))?,
            rest,
        ),
        (Some(Value::Map(m)), step) => {
            let entry = m
                .entries
                .iter()
                .find(|e| key_matches(e, step))
                .ok_or_else(|| format!("the map has no key {}", describe(step)))?;
            get(&entry.value.clone().unwrap_or_default(), rest)
        }
        (Some(Value::JsonObj(_) | Value::JsonArr(_)), _) => {
            let json = values::to_json(v)?;
            Ok(values::from_json(paths::get(&json, steps)?))
        }
        _ => Err(format!(
            "cannot read {} of a {} value",
            describe(first),
            values::type_name(v)
        )),
    }
}

/// Replaces the part of `v` at `steps` by `f` of it. The last step may name a struct
/// field, map key or JSON key that is not there yet (`f` then gets NULL); everything
/// before it must exist.
pub(crate) fn update(
    v: &mut VariableValue,
    steps: &[Step],
    f: &mut dyn FnMut(VariableValue) -> Result<VariableValue, String>,
) -> Result<(), String> {
    let Some((first, rest)) = steps.split_first() else {
        *v = f(std::mem::take(v))?;
        return Ok(());
    };
    let type_name = values::type_name(v);
    match (&mut v.value, first) {
        (Some(Value::Struct(s)), Step::Key(k)) => {
            let fields = &mut s.r#struct.get_or_insert_with(Default::default).fields;
            if rest.is_empty() {
                fields.entry(k.clone()).or_insert_with(StructField::default);
            }
            let field = fields
                .get_mut(k)
                .ok_or_else(|| format!("the struct has no field \"{k}\""))?;
            update(field.value.get_or_insert_with(Default::default), rest, f)
        }
        (Some(Value::Array(a)), Step::Index(i)) => {
            let item = a.items.get_mut(*i).ok_or_else(|| format!("no index {i}"))?;
            update(item, rest, f)
        }
        (Some(Value::Map(m)), step) => match m.entries.iter().position(|e| key_matches(e, step)) {
            Some(p) => update(
                m.entries[p].value.get_or_insert_with(Default::default),
                rest,
                f,
            ),
            None if rest.is_empty() => {
                let value = f(VariableValue::default())?;
                let key = match step {
                    Step::Key(k) => Value::Str(k.clone()),
                    Step::Index(i) => Value::Int(i64::try_from(*i).map_err(|e| e.to_string())?),
                };
                m.entries.push(map::Entry {
                    key: Some(values::val(key)),
                    value: Some(value),
                });
                Ok(())
            }
            None => Err(format!("the map has no key {}", describe(step))),
        },
        (Some(Value::JsonObj(_) | Value::JsonArr(_)), _) => {
            let mut json = values::to_json(v)?;
            let inner = paths::get(&json, steps)
                .map(values::from_json)
                .unwrap_or_default();
            let new = f(inner)?;
            paths::set(&mut json, steps, values::to_json(&new)?)?;
            *v = values::from_json(&json);
            Ok(())
        }
        _ => Err(format!(
            "cannot change {} of a {type_name} value",
            describe(first)
        )),
    }
}

/// Whether a map entry's key is the one a step names (a key by its text, an index by
/// its number).
fn key_matches(entry: &map::Entry, step: &Step) -> bool {
    let Some(key) = &entry.key else { return false };
    match (step, &key.value) {
        (Step::Index(i), Some(Value::Int(k))) => usize::try_from(*k).is_ok_and(|k| k == *i),
        (Step::Index(i), _) => values::to_display(key) == i.to_string(),
        (Step::Key(k), _) => values::to_display(key) == *k,
    }
}

fn describe(step: &Step) -> String {
    match step {
        Step::Key(k) => format!("key \"{k}\""),
        Step::Index(i) => format!("index {i}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lhw_proto::littlehorse::{Array, InlineStruct, Map, Struct};

    fn s(x: &str) -> VariableValue {
        values::val(Value::Str(x.into()))
    }

    fn int(i: i64) -> VariableValue {
        values::val(Value::Int(i))
    }

    fn member(fields: &[(&str, VariableValue)]) -> VariableValue {
        values::val(Value::Struct(Struct {
            struct_def_id: None,
            r#struct: Some(InlineStruct {
                fields: fields
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.to_string(),
                            StructField {
                                value: Some(v.clone()),
                                masked: false,
                            },
                        )
                    })
                    .collect(),
            }),
        }))
    }

    fn assign(to: VariableValue) -> impl FnMut(VariableValue) -> Result<VariableValue, String> {
        move |_| Ok(to.clone())
    }

    #[test]
    fn struct_fields_are_read_and_set_in_place() {
        let home = member(&[("city", s("Utrecht"))]);
        let mut who = member(&[("name", s("Ann")), ("home", home.clone())]);
        assert_eq!(get(&who, &[Step::Key("name".into())]), Ok(s("Ann")));
        // A nested struct stays a struct.
        assert_eq!(get(&who, &[Step::Key("home".into())]), Ok(home));
        update(
            &mut who,
            &[Step::Key("tier".into())],
            &mut assign(s("gold")),
        )
        .unwrap();
        update(
            &mut who,
            &[Step::Key("home".into()), Step::Key("city".into())],
            &mut assign(s("Delft")),
        )
        .unwrap();
        assert_eq!(
            who,
            member(&[
                ("name", s("Ann")),
                ("home", member(&[("city", s("Delft"))])),
                ("tier", s("gold")),
            ])
        );
        assert!(get(&who, &[Step::Key("age".into())]).is_err());
        assert!(
            update(
                &mut who,
                &[Step::Key("job".into()), Step::Key("title".into())],
                &mut assign(s("x"))
            )
            .is_err()
        );
    }

    #[test]
    fn arrays_maps_and_json_keep_their_types() {
        let mut tags = values::val(Value::Array(Array {
            items: vec![s("a"), s("b")],
            element_type: None,
        }));
        update(&mut tags, &[Step::Index(1)], &mut assign(s("z"))).unwrap();
        assert_eq!(get(&tags, &[Step::Index(1)]), Ok(s("z")));
        assert!(update(&mut tags, &[Step::Index(5)], &mut assign(s("q"))).is_err());

        let mut scores = values::val(Value::Map(Map {
            entries: vec![map::Entry {
                key: Some(s("ann")),
                value: Some(int(1)),
            }],
            map_type: None,
        }));
        update(&mut scores, &[Step::Key("ann".into())], &mut |v| {
            values::operate(
                &v,
                lhw_proto::littlehorse::VariableMutationType::Add,
                &int(2),
            )
        })
        .unwrap();
        update(&mut scores, &[Step::Key("bob".into())], &mut assign(int(7))).unwrap();
        assert_eq!(get(&scores, &[Step::Key("ann".into())]), Ok(int(3)));
        assert_eq!(get(&scores, &[Step::Key("bob".into())]), Ok(int(7)));

        let mut order = values::val(Value::JsonObj(r#"{"lines":[{"qty":1}]}"#.into()));
        update(
            &mut order,
            &[
                Step::Key("lines".into()),
                Step::Index(0),
                Step::Key("qty".into()),
            ],
            &mut assign(int(4)),
        )
        .unwrap();
        assert_eq!(
            values::to_json(&order),
            Ok(serde_json::json!({"lines": [{"qty": 4}]}))
        );
        assert!(get(&s("text"), &[Step::Key("x".into())]).is_err());
    }
}
