//! [`ReplayTransport`]: a transport that answers from a cassette and never
//! from the network.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::cassette::convert;
use crate::cassette::format::{Cassette, CassetteError, Exchange, RecordedRequest};
use crate::cassette::matching::{self, Ignored, Key};
use crate::error::{Error, Result};
use crate::fake::Operation;
use crate::transport::ApiResponse;

/// Answers every [`UsageTransport`](crate::UsageTransport) call from a
/// [`Cassette`], offline.
///
/// - **Matching**: a call matches the recordings of the same operation with
///   the same path parameters (client id, execution id), query (page
///   cursor, page size, days) and body. Each distinct request is a queue:
///   the polls of one execution replay in recorded order (Running, Running,
///   Complete), interleaved executions do not disturb each other, and N
///   identical polls get the N recorded answers, not the first one N times.
/// - **No match** is an [`Error::Replay`] naming the call and showing a
///   field-level diff against the nearest recording; nothing is ever sent.
/// - **Delays**: each answer waits its recorded `elapsed_ms` on tokio's
///   clock (instant under paused time) unless built
///   [`without_delays`](ReplayTransportBuilder::without_delays).
/// - [`assert_done`](Self::assert_done) fails when recorded calls were never
///   made.
///
/// Cheap to clone; clones share the queues.
#[derive(Debug, Clone)]
pub struct ReplayTransport {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    exchanges: Vec<Exchange>,
    ignored: Ignored,
    delays: bool,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Unplayed exchanges (indices) per request key, in recorded order.
    queues: HashMap<Key, VecDeque<usize>>,
    /// How many exchanges each key had in the cassette.
    recorded: HashMap<Key, usize>,
    /// Unplayed `token` exchanges, for `refresh_auth`.
    tokens: VecDeque<usize>,
    played: Vec<bool>,
}

/// Options of a [`ReplayTransport`].
#[derive(Debug, Clone)]
#[must_use = "call build() to get the transport"]
pub struct ReplayTransportBuilder {
    cassette: Cassette,
    ignored: Ignored,
    delays: bool,
}

impl ReplayTransportBuilder {
    /// Leaves a body field out of matching, by its dotted path (`interval`,
    /// `filter.clientIds`): for values that change from run to run, such as
    /// an interval computed from today's date.
    pub fn ignore_body_field(mut self, path: impl Into<String>) -> Self {
        self.ignored.add(path);
        self
    }

    /// Answers at once instead of after each recorded `elapsed_ms`.
    pub fn without_delays(mut self) -> Self {
        self.delays = false;
        self
    }

    /// The transport.
    pub fn build(self) -> ReplayTransport {
        let mut state = State {
            played: vec![false; self.cassette.exchanges.len()],
            ..State::default()
        };
        for (i, exchange) in self.cassette.exchanges.iter().enumerate() {
            if exchange.operation == Operation::Token {
                state.tokens.push_back(i);
                continue;
            }
            let key = matching::key(exchange.operation, &exchange.request, &self.ignored);
            *state.recorded.entry(key.clone()).or_default() += 1;
            state.queues.entry(key).or_default().push_back(i);
        }
        ReplayTransport {
            shared: Arc::new(Shared {
                exchanges: self.cassette.exchanges,
                ignored: self.ignored,
                delays: self.delays,
                state: Mutex::new(state),
            }),
        }
    }
}

impl ReplayTransport {
    /// Replays `cassette` with the default options.
    #[must_use]
    pub fn new(cassette: Cassette) -> Self {
        Self::builder(cassette).build()
    }

    /// Options for replaying `cassette`.
    pub fn builder(cassette: Cassette) -> ReplayTransportBuilder {
        ReplayTransportBuilder {
            cassette,
            ignored: Ignored::default(),
            delays: true,
        }
    }

    /// Replays the cassette file at `path`.
    ///
    /// # Errors
    /// As [`Cassette::load`].
    pub fn load(path: impl AsRef<Path>) -> Result<Self, CassetteError> {
        Ok(Self::new(Cassette::load(path)?))
    }

    /// The recorded API calls never replayed, as `exchanges[i] operation(args)`.
    /// Token exchanges are not counted: a replay needs no token.
    #[must_use]
    pub fn unplayed(&self) -> Vec<String> {
        let state = self.state();
        self.shared
            .exchanges
            .iter()
            .enumerate()
            .filter(|(i, e)| e.operation != Operation::Token && !state.played[*i])
            .map(|(i, e)| {
                format!(
                    "exchanges[{i}] {}",
                    matching::describe_call(e.operation, &e.request)
                )
            })
            .collect()
    }

    /// `Ok` when every recorded API call has been replayed.
    ///
    /// # Errors
    /// [`Error::Replay`] listing the calls never made.
    pub fn check_done(&self) -> Result<()> {
        let unplayed = self.unplayed();
        if unplayed.is_empty() {
            return Ok(());
        }
        Err(Error::Replay {
            call: "assert_done".into(),
            reason: format!(
                "{} recorded call(s) never made: {}",
                unplayed.len(),
                unplayed.join("; ")
            ),
        })
    }

    /// Panics, listing them, when recorded API calls were never made: the
    /// end-of-test check that the code under test did all it did when
    /// recorded.
    ///
    /// # Panics
    /// When [`check_done`](Self::check_done) fails.
    #[track_caller]
    pub fn assert_done(&self) {
        if let Err(error) = self.check_done() {
            panic!("{error}");
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Every update is a pop plus a flag: a panic elsewhere cannot tear it.
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The next recorded exchange for `request`, or why there is none.
    fn take(&self, operation: Operation, request: &RecordedRequest) -> Result<&Exchange> {
        let key = matching::key(operation, request, &self.shared.ignored);
        let mut state = self.state();
        if let Some(i) = state.queues.get_mut(&key).and_then(VecDeque::pop_front) {
            state.played[i] = true;
            return Ok(&self.shared.exchanges[i]);
        }
        let reason = match state.recorded.get(&key) {
            Some(n) => format!("all {n} recorded answer(s) to this request were already replayed"),
            None => self.nearest(operation, request, &state.played),
        };
        Err(Error::Replay {
            call: matching::describe_call(operation, request),
            reason,
        })
    }

    /// The diff against the closest recording of the same operation
    /// (fewest differing fields, unplayed ones first).
    fn nearest(&self, operation: Operation, request: &RecordedRequest, played: &[bool]) -> String {
        let ignored = &self.shared.ignored;
        let wanted = matching::flatten(request, ignored);
        let best = self
            .shared
            .exchanges
            .iter()
            .enumerate()
            .filter(|(_, e)| e.operation == operation)
            .map(|(i, e)| {
                (
                    i,
                    matching::diff(&matching::flatten(&e.request, ignored), &wanted),
                )
            })
            .min_by_key(|(i, lines)| (lines.len(), played[*i], *i));
        match best {
            Some((i, lines)) => format!(
                "no recording matches; the nearest, exchanges[{i}], differs in {}",
                lines.join("; ")
            ),
            None => format!("the cassette holds no {} call", operation.as_str()),
        }
    }

    /// Replays the answer to `request`.
    pub(crate) async fn answer<T: DeserializeOwned>(
        &self,
        operation: Operation,
        request: RecordedRequest,
    ) -> Result<ApiResponse<T>> {
        let exchange = self.take(operation, &request)?;
        self.wait(exchange.elapsed_ms).await;
        match (&exchange.response, &exchange.error) {
            (Some(response), _) => convert::replay_response(response),
            (None, Some(error)) => Err(convert::replay_error(error)),
            (None, None) => Err(Error::Replay {
                call: matching::describe_call(operation, &request),
                reason: "the recording has no outcome".into(),
            }),
        }
    }

    /// Replays the next recorded `refresh_auth` (a `token` exchange).
    pub(crate) async fn refresh(&self) -> Result<bool> {
        let next = {
            let mut state = self.state();
            let next = state.tokens.pop_front();
            if let Some(i) = next {
                state.played[i] = true;
            }
            next
        };
        let Some(i) = next else {
            return Err(Error::Replay {
                call: "refresh_auth()".into(),
                reason: "the cassette holds no more token exchanges".into(),
            });
        };
        let exchange = &self.shared.exchanges[i];
        self.wait(exchange.elapsed_ms).await;
        match (&exchange.error, &exchange.token) {
            (Some(error), _) => Err(convert::replay_error(error)),
            (None, Some(grant)) => Ok(grant.issued),
            (None, None) => Ok(exchange.response.as_ref().is_some_and(|r| r.status < 300)),
        }
    }

    async fn wait(&self, elapsed_ms: u64) {
        if self.shared.delays && elapsed_ms > 0 {
            tokio::time::sleep(Duration::from_millis(elapsed_ms)).await;
        }
    }
}
