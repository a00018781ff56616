//! What an introspection said about a token, and the cache of those answers
//! (`OAuthAuthenticator.tokenCache`: at most 10,000 tokens, each forgotten 4 hours after it
//! was written; `TokenStatus.isValid` is checked on every call, so a cached token stops
//! working when it expires).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::Refusal;

/// The most tokens kept.
pub(crate) const CACHE_CAPACITY: usize = 10_000;
/// How long an answer is kept after it was written.
pub(crate) const CACHE_TTL: Duration = Duration::from_secs(4 * 3600);

/// One introspection answer (`TokenStatus`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TokenStatus {
    /// `client_id`.
    pub(crate) client_id: Option<String>,
    /// `username`.
    pub(crate) user_name: Option<String>,
    /// `exp`, in whole seconds since the epoch (`None`: already expired, as the server).
    pub(crate) expires: Option<u64>,
    /// The scope lacks `openid`: a machine client, named by its client id.
    pub(crate) machine: bool,
}

impl TokenStatus {
    /// Reads an RFC 7662 answer (`OAuthClient.introspect`).
    pub(crate) fn from_introspection(json: &serde_json::Value) -> Result<TokenStatus, Refusal> {
        if json.get("active").and_then(serde_json::Value::as_bool) != Some(true) {
            return Err(Refusal::Unauthenticated(
                "Access token is not active".into(),
            ));
        }
        let Some(scope) = json.get("scope").and_then(serde_json::Value::as_str) else {
            return Err(Refusal::Unauthenticated(
                "Invalid token, scope was not provided".into(),
            ));
        };
        let text = |k: &str| {
            json.get(k)
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
        };
        let expires = json.get("exp").and_then(|v| {
            v.as_u64()
                .or_else(|| v.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
        });
        Ok(TokenStatus {
            client_id: text("client_id"),
            user_name: text("username"),
            expires,
            machine: !scope.split_whitespace().any(|s| s == "openid"),
        })
    }

    /// Whether the token may be used at `now`: it names a client and has not expired.
    pub(crate) fn is_valid(&self, now: SystemTime) -> bool {
        let now = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        self.client_id.is_some() && self.expires.is_some_and(|exp| exp > now)
    }

    /// The Principal id: the client id of a machine client, else the user name.
    pub(crate) fn principal(&self) -> Option<String> {
        if self.machine {
            self.client_id.clone()
        } else {
            self.user_name.clone()
        }
    }
}

struct Entry {
    status: TokenStatus,
    written: Instant,
    /// The order of writing (instants may tie).
    seq: u64,
}

#[derive(Default)]
struct Entries {
    map: HashMap<String, Entry>,
    next: u64,
}

/// Introspection answers by token.
#[derive(Default)]
pub(crate) struct TokenCache {
    entries: Mutex<Entries>,
}

impl TokenCache {
    /// The answer cached for `token`, unless it is older than [`CACHE_TTL`].
    pub(crate) fn get(&self, token: &str) -> Option<TokenStatus> {
        let mut guard = self.entries.lock().ok()?;
        let entries = &mut guard.map;
        match entries.get(token) {
            Some(e) if e.written.elapsed() < CACHE_TTL => Some(e.status.clone()),
            Some(_) => {
                entries.remove(token);
                None
            }
            None => None,
        }
    }

    /// Remembers `status` for `token`; when full, the answers older than [`CACHE_TTL`] go,
    /// then the oldest one.
    pub(crate) fn put(&self, token: &str, status: TokenStatus) {
        let Ok(mut guard) = self.entries.lock() else {
            return;
        };
        guard.next += 1;
        let seq = guard.next;
        let entries = &mut guard.map;
        if entries.len() >= CACHE_CAPACITY && !entries.contains_key(token) {
            entries.retain(|_, e| e.written.elapsed() < CACHE_TTL);
            if entries.len() >= CACHE_CAPACITY
                && let Some(oldest) = entries
                    .iter()
                    .min_by_key(|(_, e)| e.seq)
                    .map(|(k, _)| k.clone())
            {
                entries.remove(&oldest);
            }
        }
        entries.insert(
            token.to_string(),
            Entry {
                status,
                written: Instant::now(),
                seq,
            },
        );
    }

    /// How many answers are kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.map.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn machine_clients_are_named_by_client_id_people_by_user_name() {
        let machine = TokenStatus::from_introspection(&json!({
            "active": true, "client_id": "worker-app", "scope": "profile email", "exp": 100
        }))
        .expect("active");
        assert!(machine.machine);
        assert_eq!(machine.principal().as_deref(), Some("worker-app"));
        let person = TokenStatus::from_introspection(&json!({
            "active": true, "client_id": "dashboard", "username": "ann",
            "scope": "openid profile", "exp": 100
        }))
        .expect("active");
        assert!(!person.machine);
        assert_eq!(person.principal().as_deref(), Some("ann"));
    }

    #[test]
    fn inactive_or_scopeless_tokens_are_refused() {
        let inactive = TokenStatus::from_introspection(&json!({"active": false}));
        assert_eq!(
            inactive,
            Err(Refusal::Unauthenticated(
                "Access token is not active".into()
            ))
        );
        let scopeless = TokenStatus::from_introspection(&json!({
            "active": true, "client_id": "x", "exp": 100
        }));
        assert_eq!(
            scopeless,
            Err(Refusal::Unauthenticated(
                "Invalid token, scope was not provided".into()
            ))
        );
    }

    #[test]
    fn validity_needs_a_client_id_and_a_future_expiry() {
        let s = |client: Option<&str>, exp: Option<u64>| TokenStatus {
            client_id: client.map(str::to_string),
            user_name: None,
            expires: exp,
            machine: true,
        };
        assert!(s(Some("c"), Some(100)).is_valid(at(99)));
        assert!(!s(Some("c"), Some(100)).is_valid(at(100)), "expired at exp");
        assert!(!s(Some("c"), None).is_valid(at(0)), "no exp: expired");
        assert!(!s(None, Some(100)).is_valid(at(0)), "no client id");
    }

    #[test]
    fn the_cache_is_bounded() {
        let cache = TokenCache::default();
        let status = TokenStatus {
            client_id: Some("c".into()),
            user_name: None,
            expires: Some(1),
            machine: true,
        };
        for i in 0..CACHE_CAPACITY + 5 {
            cache.put(&format!("t{i}"), status.clone());
        }
        assert_eq!(cache.len(), CACHE_CAPACITY);
        assert!(cache.get(&format!("t{}", CACHE_CAPACITY + 4)).is_some());
        assert!(cache.get("t0").is_none(), "the oldest went first");
    }
}
