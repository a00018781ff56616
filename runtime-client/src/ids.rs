//! WfRunIds as text, the way LittleHorse prints and reads them: a child WfRun's id is its
//! parent's id, `_`, and its own (`order-1_shipment-2`). LittleHorse ids never contain `_`,
//! so the text form is unambiguous.

use lhw_proto::littlehorse::WfRunId;

/// Reads `parent_child` (any depth) into a nested [`WfRunId`]; text without `_` is a
/// top-level id.
pub fn parse_wf_run_id(text: &str) -> WfRunId {
    let mut id: Option<WfRunId> = None;
    for part in text.split('_') {
        id = Some(WfRunId {
            id: part.to_string(),
            parent_wf_run_id: id.map(Box::new),
        });
    }
    id.unwrap_or_default()
}

/// The text form of a WfRunId: its ancestors' ids and its own, joined by `_`.
pub fn wf_run_id_text(id: &WfRunId) -> String {
    match &id.parent_wf_run_id {
        Some(parent) => format!("{}_{}", wf_run_id_text(parent), id.id),
        None => id.id.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_ids_round_trip() {
        let id = parse_wf_run_id("order-1_shipment-2_label-3");
        assert_eq!(id.id, "label-3");
        let parent = id.parent_wf_run_id.as_deref().expect("a parent");
        assert_eq!(parent.id, "shipment-2");
        let root = parent.parent_wf_run_id.as_deref().expect("a grandparent");
        assert_eq!(
            (root.id.as_str(), root.parent_wf_run_id.is_none()),
            ("order-1", true)
        );
        assert_eq!(wf_run_id_text(&id), "order-1_shipment-2_label-3");
    }

    #[test]
    fn top_level_ids_stay_flat() {
        let id = parse_wf_run_id("a1b2");
        assert_eq!(
            (id.id.as_str(), id.parent_wf_run_id.is_none()),
            ("a1b2", true)
        );
        assert_eq!(wf_run_id_text(&id), "a1b2");
    }
}
