//! Deployment order of a file's WfSpecs: LittleHorse registers a WfSpec only after the
//! WfSpec it names as `parent_wf_spec` and the WfSpecs its RUN_CHILD_WF nodes name, so
//! those of the same file come first; otherwise declaration order is kept.

use lhw_proto::littlehorse as pb;
use pb::node::Node as NodeKind;
use pb::run_child_wf_node::WfSpec as ChildSpec;

/// The names of the WfSpecs `spec` needs registered before it (parent, RUN_CHILD_WF targets).
fn needs(spec: &pb::PutWfSpecRequest) -> Vec<&str> {
    let mut out: Vec<&str> = spec
        .parent_wf_spec
        .iter()
        .map(|p| p.wf_spec_name.as_str())
        .collect();
    for t in spec.thread_specs.values() {
        for n in t.nodes.values() {
            if let Some(NodeKind::RunChildWf(r)) = &n.node
                && let Some(ChildSpec::WfSpecName(name)) = &r.wf_spec
            {
                out.push(name);
            }
        }
    }
    out
}

/// Reorders `specs` so that each comes after the specs of the same file it needs. A
/// cycle (which no server can register) keeps declaration order within it.
pub fn deployment_order(specs: Vec<pb::PutWfSpecRequest>) -> Vec<pb::PutWfSpecRequest> {
    fn visit(i: usize, specs: &[pb::PutWfSpecRequest], state: &mut [u8], order: &mut Vec<usize>) {
        // 0 = unseen, 1 = in progress, 2 = placed.
        if state[i] != 0 {
            return;
        }
        state[i] = 1;
        for name in needs(&specs[i]) {
            if let Some(j) = specs.iter().position(|s| s.name == name) {
                visit(j, specs, state, order);
            }
        }
        state[i] = 2;
        order.push(i);
    }
    let mut state = vec![0u8; specs.len()];
    let mut order = Vec::with_capacity(specs.len());
    for i in 0..specs.len() {
        visit(i, &specs, &mut state, &mut order);
    }
    let mut slots: Vec<Option<pb::PutWfSpecRequest>> = specs.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}
