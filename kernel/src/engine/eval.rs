//! Evaluation inside a run: VariableAssignments (variables, literals, node
//! outputs, format strings, expressions, struct builders, paths, casts),
//! conditions and variable mutations.

use super::RunState;
use super::run::VarSlot;
use crate::values::{self, val};
use crate::{paths, value_paths};
use lhw_proto::littlehorse::{
    Comparator, InlineStruct, LegacyEdgeCondition, LhPath, Map, MapBuilder, Struct, StructBuilder,
    StructField, VariableAssignment, VariableMutation, VariableMutationType, VariableValue,
    inline_struct_field_value::StructValue,
    lh_path::selector::SelectorType,
    map,
    variable_assignment::{Path, Source, expression::Operation},
    variable_mutation::{RhsValue, node_output_source},
    variable_value::Value,
};
use std::collections::BTreeMap;

impl RunState {
    /// The value of variable `name` as seen from thread `t`.
    pub(crate) fn var_value(&self, t: i32, name: &str) -> Result<VariableValue, String> {
        let slot = self
            .find_var(t, name)
            .ok_or_else(|| format!("variable {name} not found"))?;
        Ok(self
            .slot(&slot)
            .and_then(|v| v.value.clone())
            .unwrap_or_default())
    }

    /// The output of the most recent NodeRun of `node_name` in thread `t`
    /// (a task's output, an external event's content, NULL otherwise).
    pub(crate) fn node_output(&self, t: i32, node_name: &str) -> Result<VariableValue, String> {
        let nr = self
            .node_runs
            .range((t, i32::MIN)..=(t, i32::MAX))
            .rev()
            .map(|(_, nr)| nr)
            .find(|nr| nr.node_name == node_name)
            .ok_or_else(|| format!("node {node_name} has not run in thread {t}"))?;
        Ok(super::nodes::output(self, nr))
    }

    /// Evaluates a VariableAssignment in thread `t`: source, then path, then cast.
    pub(crate) fn eval(&self, t: i32, va: &VariableAssignment) -> Result<VariableValue, String> {
        let base = match &va.source {
            None => return Err("the VariableAssignment has no source".to_string()),
            Some(Source::VariableName(name)) => self.var_value(t, name)?,
            Some(Source::LiteralValue(v)) => v.clone(),
            Some(Source::NodeOutput(r)) => self.node_output(t, &r.node_name)?,
            Some(Source::FormatString(f)) => {
                let template = f.format.as_ref().ok_or("the format string has no format")?;
                let template = values::to_display(&self.eval(t, template)?);
                let args = f
                    .args
                    .iter()
                    .map(|a| self.eval(t, a))
                    .collect::<Result<Vec<_>, _>>()?;
                val(Value::Str(values::message_format(&template, &args)?))
            }
            Some(Source::Expression(e)) => {
                let lhs = self.eval(t, e.lhs.as_deref().ok_or("the expression has no lhs")?)?;
                let rhs = self.eval(t, e.rhs.as_deref().ok_or("the expression has no rhs")?)?;
                match e.operation {
                    Some(Operation::MutationType(m)) => {
                        let op = VariableMutationType::try_from(m)
                            .map_err(|_| format!("unknown operation {m}"))?;
                        values::operate(&lhs, op, &rhs)?
                    }
                    Some(Operation::Comparator(c)) => {
                        let cmp = Comparator::try_from(c)
                            .map_err(|_| format!("unknown comparator {c}"))?;
                        val(Value::Bool(values::compare(&lhs, cmp, &rhs)?))
                    }
                    None => return Err("the expression has no operation".to_string()),
                }
            }
            Some(Source::SizeOf(s)) => {
                let operand =
                    self.eval(t, s.operand.as_deref().ok_or("size_of has no operand")?)?;
                val(Value::Int(values::size_of(&operand)?))
            }
            Some(Source::StructBuilder(b)) => val(Value::Struct(self.build_struct(t, b)?)),
            Some(Source::MapBuilder(b)) => val(Value::Map(self.build_map(t, b)?)),
        };
        let pathed = match &va.path {
            None => base,
            Some(Path::JsonPath(p)) => {
                let json = values::to_json(&base)?;
                values::from_json(paths::get(&json, &paths::parse(p)?)?)
            }
            Some(Path::LhPath(p)) => value_paths::get(&base, &self.lh_steps(t, p)?)?,
        };
        match &va.target_type {
            None => Ok(pathed),
            Some(td) => match values::primitive_of(td) {
                Some(to) => values::cast(pathed, to),
                None => values::coerce_to(pathed, td),
            },
        }
    }

    /// The steps of an `LHPath`, its dynamic selectors evaluated in thread `t`.
    fn lh_steps(&self, t: i32, p: &LhPath) -> Result<Vec<paths::Step>, String> {
        let index = |i: i64| {
            usize::try_from(i)
                .map(paths::Step::Index)
                .map_err(|_| format!("negative index {i}"))
        };
        p.path
            .iter()
            .map(|sel| match &sel.selector_type {
                Some(SelectorType::Key(k)) => Ok(paths::Step::Key(k.clone())),
                Some(SelectorType::Index(i)) => index(i64::from(*i)),
                Some(SelectorType::Dynamic(d)) => match self.eval(t, d)?.value {
                    Some(Value::Int(i)) => index(i),
                    Some(Value::Str(s)) => Ok(paths::Step::Key(s)),
                    _ => Err("a dynamic path selector must be INT or STR".to_string()),
                },
                None => Err("an lh_path selector is empty".to_string()),
            })
            .collect()
    }

    /// Builds a STRUCT value from a StructBuilder: each field given is evaluated in
    /// thread `t` (fields not given are left out, as LittleHorse does).
    fn build_struct(&self, t: i32, b: &StructBuilder) -> Result<Struct, String> {
        let given = b.value.as_ref().ok_or("the struct builder has no value")?;
        let mut fields = BTreeMap::new();
        for (name, field) in &given.fields {
            let value = match &field.struct_value {
                Some(StructValue::SimpleValue(va)) => self.eval(t, va)?,
                Some(StructValue::SubStructure(_)) => {
                    return Err(format!(
                        "field {name}: a nested struct value without its own struct builder \
                         needs its StructDef, which the embedded kernel does not look up yet"
                    ));
                }
                None => return Err(format!("field {name} of the struct builder has no value")),
            };
            fields.insert(
                name.clone(),
                StructField {
                    value: Some(value),
                    masked: false,
                },
            );
        }
        Ok(Struct {
            struct_def_id: b.struct_def_id.clone(),
            r#struct: Some(InlineStruct { fields }),
        })
    }

    /// Builds a MAP value from a MapBuilder, as LittleHorse's server does: the
    /// entries evaluated in order in thread `t`, a repeated key replacing the
    /// earlier value in its place; the map type is the builder's `map_type`,
    /// else the types of the first entry's key and value.
    fn build_map(&self, t: i32, b: &MapBuilder) -> Result<Map, String> {
        let mut entries: Vec<map::Entry> = Vec::new();
        for (i, e) in b.entries.iter().enumerate() {
            let key = self.eval(
                t,
                e.key.as_ref().ok_or(format!("map entry {i} has no key"))?,
            )?;
            let value = self.eval(
                t,
                e.value
                    .as_ref()
                    .ok_or(format!("map entry {i} has no value"))?,
            )?;
            match entries.iter_mut().find(|x| x.key.as_ref() == Some(&key)) {
                Some(existing) => existing.value = Some(value),
                None => entries.push(map::Entry {
                    key: Some(key),
                    value: Some(value),
                }),
            }
        }
        let map_type = b
            .map_type
            .clone()
            .or_else(|| entries.first().map(values::entry_map_type));
        Ok(Map { entries, map_type })
    }

    /// Evaluates a condition that must produce a BOOL.
    pub(crate) fn eval_bool(&self, t: i32, va: &VariableAssignment) -> Result<bool, String> {
        match self.eval(t, va)?.value {
            Some(Value::Bool(b)) => Ok(b),
            other => Err(format!(
                "the condition does not resolve to a BOOL value (got {})",
                values::type_name(&VariableValue { value: other })
            )),
        }
    }

    /// Evaluates a legacy `left COMPARATOR right` condition.
    pub(crate) fn eval_legacy(&self, t: i32, c: &LegacyEdgeCondition) -> Result<bool, String> {
        let left = self.eval(t, c.left.as_ref().ok_or("the condition has no left side")?)?;
        let right = self.eval(
            t,
            c.right.as_ref().ok_or("the condition has no right side")?,
        )?;
        let cmp =
            Comparator::try_from(c.comparator).map_err(|_| "unknown comparator".to_string())?;
        values::compare(&left, cmp, &right)
    }

    /// Applies mutations in order, all or nothing. `node` is the node whose
    /// output legacy `node_output` right-hand sides refer to.
    pub(crate) fn apply_mutations(
        &mut self,
        t: i32,
        node: &str,
        muts: &[VariableMutation],
    ) -> Result<(), String> {
        let mut undo = Vec::new();
        for m in muts {
            if let Err(e) = self.apply_mutation(t, node, m, &mut undo) {
                for (slot, old) in undo.into_iter().rev() {
                    self.set_slot(&slot, old);
                }
                return Err(format!("mutating variable {} failed: {e}", m.lhs_name));
            }
        }
        Ok(())
    }

    fn apply_mutation(
        &mut self,
        t: i32,
        node: &str,
        m: &VariableMutation,
        undo: &mut Vec<(VarSlot, lhw_proto::littlehorse::Variable)>,
    ) -> Result<(), String> {
        let slot = self
            .find_var(t, &m.lhs_name)
            .ok_or("the variable does not exist")?;
        // LittleHorse saves a variable through the thread that declares it: an
        // INHERITED one needs a declaration in the thread or a parent thread.
        if let VarSlot::Inherited(name) = &slot
            && !self
                .thread_chain(t)
                .into_iter()
                .any(|n| self.var_def(n, name).is_some())
        {
            return Err(format!("Tried to save out-of-scope var {name}"));
        }
        let rhs = match &m.rhs_value {
            Some(RhsValue::RhsAssignment(va)) => self.eval(t, va)?,
            Some(RhsValue::LiteralValue(v)) => v.clone(),
            Some(RhsValue::NodeOutput(src)) => {
                let out = self.node_output(t, node)?;
                match &src.path {
                    Some(node_output_source::Path::Jsonpath(p)) => {
                        values::from_json(paths::get(&values::to_json(&out)?, &paths::parse(p)?)?)
                    }
                    Some(node_output_source::Path::LhPath(_)) => {
                        return Err("lh_path on a legacy node output is not supported".to_string());
                    }
                    None => out,
                }
            }
            None => return Err("the mutation has no right-hand side".to_string()),
        };
        let op = VariableMutationType::try_from(m.operation)
            .map_err(|_| "unknown mutation type".to_string())?;
        let var = self
            .slot(&slot)
            .ok_or("the variable does not exist")?
            .clone();
        let current = var.value.clone().unwrap_or_default();
        let new = match (&m.lhs_json_path, &m.lhs_lh_path) {
            (None, Some(path)) => {
                let steps = self.lh_steps(t, path)?;
                let mut whole = current;
                value_paths::update(&mut whole, &steps, &mut |inner| {
                    values::operate(&inner, op, &rhs)
                })?;
                whole
            }
            (Some(path), _) => {
                let steps = paths::parse(path)?;
                let mut json = values::to_json(&current)?;
                let inner = paths::get(&json, &steps)
                    .map(values::from_json)
                    .unwrap_or_default();
                let result = values::operate(&inner, op, &rhs)?;
                paths::set(&mut json, &steps, values::to_json(&result)?)?;
                values::from_json(&json)
            }
            (None, None) => {
                let result = values::operate(&current, op, &rhs)?;
                match self
                    .slot_def(&slot)
                    .and_then(|d| d.var_def.as_ref())
                    .and_then(|d| d.type_def.as_ref())
                {
                    Some(td) => values::coerce_for_mutation(result, td)?,
                    None => result,
                }
            }
        };
        undo.push((slot.clone(), var.clone()));
        let mut updated = var;
        updated.value = Some(new);
        self.set_slot(&slot, updated);
        Ok(())
    }
}
