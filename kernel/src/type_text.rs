//! A `TypeDefinition` worded as the LittleHorse server words it in its messages
//! (`TypeDefinitionModel.toString`): `JSON_ARR`, `Array<STR>`, `Map<STR, INT>`,
//! `Struct<order,v0>`, with ` MASKED` after a masked type. Messages quote types this way,
//! never as Rust `Debug` output.

use lhw_proto::littlehorse::{TypeDefinition, VariableType, type_definition::DefinedType};

/// The server's wording of `t` (`DEFINEDTYPE_NOT_SET` when it names no type).
#[must_use]
pub fn server_type_text(t: Option<&TypeDefinition>) -> String {
    let Some(t) = t else {
        return "DEFINEDTYPE_NOT_SET".to_string();
    };
    let mut out = match &t.defined_type {
        Some(DefinedType::PrimitiveType(p)) => VariableType::try_from(*p)
            .map_or_else(|_| p.to_string(), |v| v.as_str_name().to_string()),
        Some(DefinedType::StructDefId(id)) => format!("Struct<{},v{}>", id.name, id.version),
        Some(DefinedType::InlineArrayDef(a)) => {
            format!("Array<{}>", server_type_text(a.array_type.as_deref()))
        }
        Some(DefinedType::InlineMapDef(m)) => format!(
            "Map<{}, {}>",
            server_type_text(m.key_type.as_deref()),
            server_type_text(m.value_type.as_deref())
        ),
        Some(DefinedType::InlineStructDef(_)) => "INLINE_STRUCT_DEF".to_string(),
        None => "DEFINEDTYPE_NOT_SET".to_string(),
    };
    if t.masked {
        out.push_str(" MASKED");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use lhw_proto::littlehorse::{InlineArrayDef, InlineMapDef, StructDefId};

    fn prim(v: VariableType) -> TypeDefinition {
        TypeDefinition {
            defined_type: Some(DefinedType::PrimitiveType(v as i32)),
            masked: false,
        }
    }

    #[test]
    fn words_types_as_the_server_does() {
        assert_eq!(
            server_type_text(Some(&prim(VariableType::JsonArr))),
            "JSON_ARR"
        );
        let arr = TypeDefinition {
            defined_type: Some(DefinedType::InlineArrayDef(Box::new(InlineArrayDef {
                array_type: Some(Box::new(prim(VariableType::Str))),
            }))),
            masked: true,
        };
        assert_eq!(server_type_text(Some(&arr)), "Array<STR> MASKED");
        let map = TypeDefinition {
            defined_type: Some(DefinedType::InlineMapDef(Box::new(InlineMapDef {
                key_type: Some(Box::new(prim(VariableType::Str))),
                value_type: Some(Box::new(prim(VariableType::Int))),
            }))),
            masked: false,
        };
        assert_eq!(server_type_text(Some(&map)), "Map<STR, INT>");
        let st = TypeDefinition {
            defined_type: Some(DefinedType::StructDefId(StructDefId {
                name: "order".into(),
                version: 2,
            })),
            masked: false,
        };
        assert_eq!(server_type_text(Some(&st)), "Struct<order,v2>");
        assert_eq!(server_type_text(None), "DEFINEDTYPE_NOT_SET");
    }
}
