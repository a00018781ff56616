//! The mocks of one test, answering the simulation's task calls.

use lhw_compiler::test::plan::{Answer, Mock};
use lhw_kernel::sim::{Mocks, TaskAnswer, TaskCall};

use super::values::same;

/// The mocks of one test and how many calls each has answered.
pub(crate) struct CaseMocks<'a> {
    mocks: &'a [Mock],
    answered: Vec<usize>,
}

impl<'a> CaseMocks<'a> {
    pub(crate) fn new(mocks: &'a [Mock]) -> Self {
        CaseMocks {
            mocks,
            answered: vec![0; mocks.len()],
        }
    }

    /// The mock for `call`: one whose arguments match it, else one for every call.
    fn find(&self, call: &TaskCall) -> Option<usize> {
        let for_task = || {
            self.mocks
                .iter()
                .enumerate()
                .filter(|(_, m)| m.task == call.task)
        };
        for_task()
            .find(|(_, m)| {
                m.args.as_ref().is_some_and(|args| {
                    args.len() == call.args.len()
                        && args.iter().zip(&call.args).all(|(a, (_, b))| same(a, b))
                })
            })
            .or_else(|| for_task().find(|(_, m)| m.args.is_none()))
            .map(|(i, _)| i)
    }
}

impl Mocks for CaseMocks<'_> {
    fn answer(&mut self, call: &TaskCall) -> Option<TaskAnswer> {
        let i = self.find(call)?;
        let mock = &self.mocks[i];
        let n = self.answered[i];
        self.answered[i] += 1;
        let answer = mock.answers.get(n).or_else(|| mock.answers.last())?;
        Some(match answer {
            Answer::Returns(v) => TaskAnswer::Output(v.clone()),
            Answer::Fails(message) => TaskAnswer::Error(message.clone()),
            Answer::Throws {
                name,
                message,
                content,
            } => TaskAnswer::Exception {
                name: name.clone(),
                message: message.clone(),
                content: content.clone(),
            },
            Answer::TimesOut => TaskAnswer::Timeout,
        })
    }
}
