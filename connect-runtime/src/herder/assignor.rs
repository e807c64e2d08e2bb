//! The group leader's incremental cooperative assignment (Apache's
//! `IncrementalCooperativeAssignor`, KIP-415): only work that moves is revoked, and it is
//! revoked in one round and placed in the next, so nothing ever runs on two workers at once.
//!
//! One difference from Apache: work lost with a worker that left or died waits at most
//! `lost_work_delay` for that worker to come back before it is given to the others. Apache
//! waits `scheduled.rebalance.max.delay.ms`, 5 minutes by default; the herder passes that key
//! capped at 30 s unless it was set explicitly.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use super::connect_protocol::{Allocation, CONNECTOR_TASK};

/// One unit of work: a connector instance (task `-1`) or one of its tasks.
pub type Item = (String, i32);

fn items_of(a: &Allocation) -> BTreeSet<Item> {
    a.iter()
        .flat_map(|(c, tasks)| tasks.iter().map(move |t| (c.clone(), *t)))
        .collect()
}

fn allocation_of<'a>(items: impl IntoIterator<Item = &'a Item>) -> Allocation {
    let mut out = Allocation::new();
    for (c, t) in items {
        out.entry(c.clone()).or_default().push(*t);
    }
    for tasks in out.values_mut() {
        tasks.sort_unstable();
    }
    out
}

fn is_connector(item: &Item) -> bool {
    item.1 == CONNECTOR_TASK
}

/// What one member is told in a round.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberAssignment {
    /// Work newly given to it.
    pub assigned: Allocation,
    /// Work it must stop now.
    pub revoked: Allocation,
}

/// A round's result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Round {
    /// By member id.
    pub members: BTreeMap<String, MemberAssignment>,
    /// When a follow-up rebalance is due (lost work waiting for its worker), else zero.
    pub delay: Duration,
}

/// The leader's memory between rounds.
#[derive(Debug)]
pub struct CooperativeAssignor {
    lost_work_delay: Duration,
    previous: BTreeSet<Item>,
    previous_revoked: BTreeSet<Item>,
    previous_members: BTreeSet<String>,
    scheduled: Option<Instant>,
    candidates: BTreeSet<String>,
    revoking_rounds: u32,
}

impl CooperativeAssignor {
    /// An assignor that lets lost work wait at most `lost_work_delay` for its worker.
    pub fn new(lost_work_delay: Duration) -> CooperativeAssignor {
        CooperativeAssignor {
            lost_work_delay,
            previous: BTreeSet::new(),
            previous_revoked: BTreeSet::new(),
            previous_members: BTreeSet::new(),
            scheduled: None,
            candidates: BTreeSet::new(),
            revoking_rounds: 0,
        }
    }

    /// Forgets the previous round (a new leader, or a round whose sync failed).
    pub fn reset(&mut self) {
        *self = CooperativeAssignor::new(self.lost_work_delay);
    }

    /// Forgets that `items` were assigned: the worker that ran them left after stopping
    /// them cleanly (its statuses say so), so they need not wait for it to come back.
    pub fn forget(&mut self, items: &BTreeSet<Item>) {
        self.previous.retain(|i| !items.contains(i));
    }

    /// Computes a round. `members` holds what each member runs now (its metadata's
    /// allocation); `configured` the task count of every connector that should run.
    pub fn assign(
        &mut self,
        members: &BTreeMap<String, Allocation>,
        configured: &BTreeMap<String, usize>,
        now: Instant,
    ) -> Round {
        let current: BTreeMap<&String, BTreeSet<Item>> =
            members.iter().map(|(m, a)| (m, items_of(a))).collect();
        let all: BTreeSet<Item> = configured
            .iter()
            .flat_map(|(c, n)| {
                std::iter::once((c.clone(), CONNECTOR_TASK))
                    .chain((0..*n).map(|t| (c.clone(), t as i32)))
            })
            .collect();
        let active: BTreeSet<Item> = current.values().flatten().cloned().collect();
        // A revocation that did not happen: start again from what members really run.
        if self.previous_revoked.iter().any(|i| active.contains(i)) {
            self.previous = active.clone();
        }
        let deleted: BTreeSet<Item> = self
            .previous
            .union(&active)
            .filter(|i| !all.contains(*i))
            .cloned()
            .collect();
        let mut holders: BTreeMap<&Item, usize> = BTreeMap::new();
        for items in current.values() {
            for i in items {
                *holders.entry(i).or_default() += 1;
            }
        }
        let duplicated: BTreeSet<Item> = holders
            .into_iter()
            .filter(|(_, n)| *n > 1)
            .map(|(i, _)| i.clone())
            .collect();
        let lost: BTreeSet<Item> = self
            .previous
            .iter()
            .filter(|i| !active.contains(*i) && !deleted.contains(*i))
            .cloned()
            .collect();
        let created: BTreeSet<Item> = all
            .iter()
            .filter(|i| !self.previous.contains(*i) && !active.contains(*i))
            .cloned()
            .collect();

        let mut revoked: BTreeMap<&String, BTreeSet<Item>> = BTreeMap::new();
        let mut next: BTreeMap<&String, BTreeSet<Item>> = BTreeMap::new();
        for (m, items) in &current {
            let (gone, kept): (BTreeSet<Item>, BTreeSet<Item>) = items
                .iter()
                .cloned()
                .partition(|i| deleted.contains(i) || duplicated.contains(i));
            revoked.insert(m, gone);
            next.insert(m, kept);
        }

        // Lost work waits for its worker, up to the delay.
        let member_ids: BTreeSet<String> = members.keys().cloned().collect();
        let mut to_assign: Vec<Item> = created.into_iter().collect();
        let mut waiting: BTreeSet<Item> = BTreeSet::new();
        let revoked_last_round = !self.previous_revoked.is_empty();
        if lost.is_empty() && !revoked_last_round {
            self.scheduled = None;
            self.candidates.clear();
        }
        if !lost.is_empty() {
            let all_back = self.previous_members.is_subset(&member_ids);
            match self.scheduled {
                _ if self.lost_work_delay.is_zero() => to_assign.extend(lost.iter().cloned()),
                None if all_back => to_assign.extend(lost.iter().cloned()),
                Some(at) if now >= at => {
                    let candidates: Vec<&String> = self
                        .candidates
                        .iter()
                        .filter(|c| member_ids.contains(*c))
                        .collect();
                    if candidates.is_empty() {
                        to_assign.extend(lost.iter().cloned());
                    } else {
                        for (i, item) in lost.iter().enumerate() {
                            if let Some(set) = next.get_mut(candidates[i % candidates.len()]) {
                                set.insert(item.clone());
                            }
                        }
                    }
                    self.scheduled = None;
                    self.candidates.clear();
                }
                _ => {
                    for (m, items) in &next {
                        if items.is_empty() {
                            self.candidates.insert((*m).clone());
                        }
                    }
                    self.scheduled.get_or_insert(now + self.lost_work_delay);
                    waiting = lost.clone();
                }
            }
        }

        // Balance: each worker keeps at most its share of connectors and of tasks.
        let mut delay = self
            .scheduled
            .map_or(Duration::ZERO, |at| at.saturating_duration_since(now));
        let mut balancing = BTreeSet::new();
        if self.scheduled.is_none() && !members.is_empty() {
            for connectors in [true, false] {
                let total = all.iter().filter(|i| is_connector(i) == connectors).count();
                let workers = members.len();
                let floor = total / workers;
                let mut extra = total % workers;
                // The most loaded keep the extra ones, so that the least moves.
                let mut by_load: Vec<(&String, usize)> = next
                    .iter()
                    .map(|(m, items)| {
                        (
                            *m,
                            items
                                .iter()
                                .filter(|i| is_connector(i) == connectors)
                                .count(),
                        )
                    })
                    .collect();
                by_load.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                for (m, load) in by_load {
                    let quota = floor + usize::from(extra > 0);
                    extra = extra.saturating_sub(1);
                    if load > quota {
                        let surplus: Vec<Item> = next[m]
                            .iter()
                            .filter(|i| is_connector(i) == connectors)
                            .take(load - quota)
                            .cloned()
                            .collect();
                        for i in surplus {
                            balancing.insert((m, i));
                        }
                    }
                }
            }
        }
        if !balancing.is_empty() {
            if revoked_last_round {
                // Revoking two rounds in a row: back off instead (40 ms, 1.6 s, 64 s, …).
                self.revoking_rounds += 1;
                let ms = 40u64.saturating_pow(self.revoking_rounds);
                delay = delay.max(
                    Duration::from_millis(ms)
                        .min(self.lost_work_delay.max(Duration::from_millis(40))),
                );
            } else {
                for (m, i) in balancing {
                    if let Some(set) = next.get_mut(m) {
                        set.remove(&i);
                    }
                    revoked.entry(m).or_default().insert(i);
                }
            }
        } else {
            self.revoking_rounds = 0;
        }

        // New work to the least loaded, connectors and tasks separately.
        let any_revoked = revoked.values().any(|r| !r.is_empty());
        let (connectors, tasks): (Vec<Item>, Vec<Item>) =
            to_assign.into_iter().partition(is_connector);
        for (items, kind) in [(connectors, true), (tasks, false)] {
            for item in items {
                let target = next
                    .iter()
                    .min_by_key(|(m, set)| {
                        (set.iter().filter(|i| is_connector(i) == kind).count(), **m)
                    })
                    .map(|(m, _)| *m);
                if let Some(m) = target {
                    if let Some(set) = next.get_mut(m) {
                        set.insert(item);
                    }
                }
            }
        }

        let mut out = Round {
            members: BTreeMap::new(),
            delay,
        };
        for (m, items) in &next {
            let assigned: Vec<&Item> = items.iter().filter(|i| !current[m].contains(*i)).collect();
            out.members.insert(
                (*m).clone(),
                MemberAssignment {
                    assigned: allocation_of(assigned),
                    revoked: allocation_of(revoked.get(m).into_iter().flatten()),
                },
            );
        }
        self.previous = next.values().flatten().cloned().chain(waiting).collect();
        self.previous_revoked = if any_revoked {
            revoked.values().flatten().cloned().collect()
        } else {
            BTreeSet::new()
        };
        self.previous_members = member_ids;
        out
    }
}

/// The `default` (eager) protocol's assignment (Apache's `EagerAssignor`): every connector,
/// then every task, round robin over the members in id order; each member gets its whole
/// assignment (everything was revoked before the round).
pub fn eager_assign(
    members: &BTreeSet<String>,
    configured: &BTreeMap<String, usize>,
) -> BTreeMap<String, Allocation> {
    let mut out: BTreeMap<String, Allocation> = members
        .iter()
        .map(|m| (m.clone(), Allocation::new()))
        .collect();
    let order: Vec<&String> = members.iter().collect();
    if order.is_empty() {
        return out;
    }
    let items = configured.keys().map(|c| (c, CONNECTOR_TASK)).chain(
        configured
            .iter()
            .flat_map(|(c, n)| (0..*n).map(move |t| (c, t as i32))),
    );
    for (i, (connector, task)) in items.enumerate() {
        if let Some(a) = out.get_mut(order[i % order.len()]) {
            a.entry(connector.clone()).or_default().push(task);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alloc(items: &[(&str, i32)]) -> Allocation {
        allocation_of(
            &items
                .iter()
                .map(|(c, t)| (c.to_string(), *t))
                .collect::<Vec<_>>(),
        )
    }

    fn members(list: &[(&str, Allocation)]) -> BTreeMap<String, Allocation> {
        list.iter()
            .map(|(m, a)| (m.to_string(), a.clone()))
            .collect()
    }

    /// Applies a round to the members' allocations, as each worker merges its assignment.
    fn apply(state: &mut BTreeMap<String, Allocation>, round: &Round) {
        for (m, a) in &round.members {
            let merged = super::super::connect_protocol::merge(
                &state[m],
                &super::super::connect_protocol::Assignment {
                    assigned: a.assigned.clone(),
                    revoked: a.revoked.clone(),
                    ..Default::default()
                },
            );
            state.insert(m.clone(), merged);
        }
    }

    fn counts(a: &Allocation) -> (usize, usize) {
        let items = items_of(a);
        let c = items.iter().filter(|i| is_connector(i)).count();
        (c, items.len() - c)
    }

    #[test]
    fn a_joining_worker_gets_its_share_in_two_rounds_with_nothing_run_twice() {
        let configured: BTreeMap<String, usize> = [("a".into(), 2), ("b".into(), 2)].into();
        let mut assignor = CooperativeAssignor::new(Duration::from_secs(30));
        let now = Instant::now();
        let mut state = members(&[("w1", Allocation::new())]);
        let r = assignor.assign(&state, &configured, now);
        apply(&mut state, &r);
        assert_eq!(counts(&state["w1"]), (2, 4));

        state.insert("w2".into(), Allocation::new());
        // Round 1: w1 gives up its surplus; w2 gets nothing yet.
        let r = assignor.assign(&state, &configured, now);
        assert!(r.members["w2"].assigned.is_empty());
        assert_eq!(counts(&r.members["w1"].revoked), (1, 2));
        apply(&mut state, &r);
        // Round 2: the revoked work goes to w2.
        let r = assignor.assign(&state, &configured, now);
        assert!(r.members["w1"].revoked.is_empty() && r.members["w2"].revoked.is_empty());
        apply(&mut state, &r);
        assert_eq!(counts(&state["w1"]), (1, 2));
        assert_eq!(counts(&state["w2"]), (1, 2));
        let all: BTreeSet<Item> = items_of(&state["w1"])
            .union(&items_of(&state["w2"]))
            .cloned()
            .collect();
        assert_eq!(all.len(), 6);
        // A stable group: nothing moves.
        let r = assignor.assign(&state, &configured, now);
        assert!(r
            .members
            .values()
            .all(|a| a.assigned.is_empty() && a.revoked.is_empty()));
    }

    #[test]
    fn lost_work_waits_for_its_worker_then_moves() {
        let configured: BTreeMap<String, usize> = [("a".into(), 1), ("b".into(), 1)].into();
        let mut assignor = CooperativeAssignor::new(Duration::from_secs(20));
        let t0 = Instant::now();
        let mut state = members(&[("w1", Allocation::new()), ("w2", Allocation::new())]);
        let r = assignor.assign(&state, &configured, t0);
        apply(&mut state, &r);
        let w2_had = state["w2"].clone();
        assert!(!w2_had.is_empty());
        // w2 dies: its work waits, and the round says when to look again.
        state.remove("w2");
        let r = assignor.assign(&state, &configured, t0 + Duration::from_secs(1));
        assert!(r.members["w1"].assigned.is_empty());
        assert_eq!(r.delay, Duration::from_secs(20));
        // A replacement joins before the delay ends: it gets the lost work when it ends.
        state.insert("w3".into(), Allocation::new());
        let r = assignor.assign(&state, &configured, t0 + Duration::from_secs(5));
        assert!(r.members["w3"].assigned.is_empty());
        assert_eq!(r.delay, Duration::from_secs(16));
        let r = assignor.assign(&state, &configured, t0 + Duration::from_secs(21));
        assert_eq!(r.members["w3"].assigned, w2_had);
        assert_eq!(r.delay, Duration::ZERO);
    }

    #[test]
    fn deleted_and_duplicated_work_is_revoked() {
        let configured: BTreeMap<String, usize> = [("a".into(), 1)].into();
        let mut assignor = CooperativeAssignor::new(Duration::from_secs(30));
        let state = members(&[
            ("w1", alloc(&[("a", -1), ("a", 0), ("gone", -1)])),
            ("w2", alloc(&[("a", 0)])),
        ]);
        let r = assignor.assign(&state, &configured, Instant::now());
        assert_eq!(r.members["w1"].revoked, alloc(&[("a", 0), ("gone", -1)]));
        assert_eq!(r.members["w2"].revoked, alloc(&[("a", 0)]));
        // New work is placed at once when a fresh leader finds none running.
        let mut fresh = CooperativeAssignor::new(Duration::from_secs(30));
        let r = fresh.assign(
            &members(&[("w1", Allocation::new())]),
            &configured,
            Instant::now(),
        );
        assert_eq!(r.members["w1"].assigned, alloc(&[("a", -1), ("a", 0)]));
    }

    #[test]
    fn eager_is_round_robin_connectors_then_tasks() {
        let members: BTreeSet<String> = ["w1".to_owned(), "w2".to_owned()].into();
        let configured: BTreeMap<String, usize> = [("a".to_owned(), 2), ("b".to_owned(), 1)].into();
        let out = eager_assign(&members, &configured);
        // a, b, a-0, a-1, b-0 over w1, w2, w1, w2, w1.
        assert_eq!(
            out["w1"],
            Allocation::from([("a".to_owned(), vec![-1, 0]), ("b".to_owned(), vec![0])])
        );
        assert_eq!(
            out["w2"],
            Allocation::from([("a".to_owned(), vec![1]), ("b".to_owned(), vec![-1])])
        );
    }
}
