//! DescribeUserScramCredentials and AlterUserScramCredentials: list and change the SCRAM
//! credentials in the broker's store (`kafka-configs --entity-type users --alter --add-config
//! 'SCRAM-SHA-512=[password=...]'`). The client sends the salted password, never the password;
//! the broker keeps StoredKey/ServerKey only. Per-user errors follow Kafka's controller
//! (ScramControlManager): unknown mechanism, iterations outside 4096..=16384, empty user,
//! deleting what does not exist, the same user twice.

use std::collections::{HashMap, HashSet};

use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::alter_user_scram_credentials_response::AlterUserScramCredentialsResult;
use kafka_protocol::messages::describe_user_scram_credentials_response::{
    CredentialInfo, DescribeUserScramCredentialsResult,
};
use kafka_protocol::messages::{
    AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse,
    DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse,
};

use super::sb;
use crate::context::{Operation, RequestContext, Resource};
use crate::security::scram::{ScramCredential, ScramMechanism, MAX_ITERATIONS, MIN_ITERATIONS};
use crate::state::BrokerState;

pub fn describe(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: DescribeUserScramCredentialsRequest,
) -> DescribeUserScramCredentialsResponse {
    let resp = DescribeUserScramCredentialsResponse::default();
    if !ctx.authorize(Operation::Describe, Resource::Cluster) {
        return resp
            .with_error_code(ErrorCode::ClusterAuthorizationFailed.code())
            .with_error_message(Some(sb(
                "Cluster DESCRIBE is needed to describe SCRAM credentials",
            )));
    }
    let store = &state.credentials;
    let requested: Vec<String> = match req.users {
        Some(users) if !users.is_empty() => users.into_iter().map(|u| u.name.to_string()).collect(),
        _ => store.users(),
    };
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for u in &requested {
        *counts.entry(u.as_str()).or_default() += 1;
    }
    let mut seen = HashSet::new();
    let mut results = Vec::new();
    for user in &requested {
        if !seen.insert(user.clone()) {
            continue;
        }
        let r = DescribeUserScramCredentialsResult::default().with_user(sb(user.clone()));
        let r = if counts[user.as_str()] > 1 {
            r.with_error_code(ErrorCode::DuplicateResource.code())
                .with_error_message(Some(sb(format!(
                    "Cannot describe SCRAM credentials for the same user twice in a single request: {user}"
                ))))
        } else {
            let infos: Vec<CredentialInfo> = store
                .describe(user)
                .into_iter()
                .map(|(m, iterations)| {
                    CredentialInfo::default()
                        .with_mechanism(m.type_id())
                        .with_iterations(iterations as i32)
                })
                .collect();
            if infos.is_empty() {
                r.with_error_code(ErrorCode::ResourceNotFound.code())
                    .with_error_message(Some(sb(format!(
                        "Attempt to describe nonexistent user: {user}"
                    ))))
            } else {
                r.with_credential_infos(infos)
            }
        };
        results.push(r);
    }
    resp.with_results(results)
}

pub fn alter(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: AlterUserScramCredentialsRequest,
) -> AlterUserScramCredentialsResponse {
    let mut users: Vec<String> = Vec::new();
    for u in req
        .deletions
        .iter()
        .map(|d| d.name.to_string())
        .chain(req.upsertions.iter().map(|u| u.name.to_string()))
    {
        if !users.contains(&u) {
            users.push(u);
        }
    }
    let result = |user: &str, code: i16, message: Option<String>| {
        AlterUserScramCredentialsResult::default()
            .with_user(sb(user.to_string()))
            .with_error_code(code)
            .with_error_message(message.map(sb))
    };
    if !ctx.authorize(Operation::Alter, Resource::Cluster) {
        let results = users
            .iter()
            .map(|u| {
                result(
                    u,
                    ErrorCode::ClusterAuthorizationFailed.code(),
                    Some("Cluster ALTER is needed to change SCRAM credentials".into()),
                )
            })
            .collect();
        return AlterUserScramCredentialsResponse::default().with_results(results);
    }
    let store = &state.credentials;
    // Validate every change first; a user with any bad change gets that error and none of its
    // changes are applied.
    let mut errors: HashMap<String, (i16, String)> = HashMap::new();
    let mut touched: HashMap<(String, ScramMechanism), usize> = HashMap::new();
    let mut deletions = Vec::new();
    for d in &req.deletions {
        let user = d.name.to_string();
        match ScramMechanism::from_type_id(d.mechanism) {
            None => {
                errors.entry(user).or_insert((
                    ErrorCode::UnsupportedSaslMechanism.code(),
                    format!("Unknown SCRAM mechanism {}", d.mechanism),
                ));
            }
            Some(m) => {
                *touched.entry((user.clone(), m)).or_default() += 1;
                if !store.contains(&user, m) {
                    errors.entry(user).or_insert((
                        ErrorCode::ResourceNotFound.code(),
                        "Attempt to delete a user credential that does not exist".into(),
                    ));
                } else {
                    deletions.push((user, m));
                }
            }
        }
    }
    let mut upserts = Vec::new();
    for u in &req.upsertions {
        let user = u.name.to_string();
        let bad = |code: ErrorCode, msg: &str| (code.code(), msg.to_string());
        let checked = if user.is_empty() {
            Err(bad(
                ErrorCode::UnacceptableCredential,
                "Username must not be empty",
            ))
        } else if let Some(m) = ScramMechanism::from_type_id(u.mechanism) {
            if u.iterations < MIN_ITERATIONS as i32 {
                Err(bad(ErrorCode::UnacceptableCredential, "Too few iterations"))
            } else if u.iterations > MAX_ITERATIONS as i32 {
                Err(bad(
                    ErrorCode::UnacceptableCredential,
                    "Too many iterations",
                ))
            } else if u.salt.is_empty() || u.salted_password.is_empty() {
                Err(bad(
                    ErrorCode::UnacceptableCredential,
                    "Salt and salted password must not be empty",
                ))
            } else {
                Ok(m)
            }
        } else {
            Err(bad(
                ErrorCode::UnsupportedSaslMechanism,
                &format!("Unknown SCRAM mechanism {}", u.mechanism),
            ))
        };
        match checked {
            Err(e) => {
                errors.entry(user).or_insert(e);
            }
            Ok(m) => {
                *touched.entry((user.clone(), m)).or_default() += 1;
                let cred = ScramCredential::from_salted_password(
                    m,
                    &u.salted_password,
                    u.salt.to_vec(),
                    u.iterations as u32,
                );
                upserts.push((user, m, cred));
            }
        }
    }
    for ((user, _), n) in &touched {
        if *n > 1 {
            errors.entry(user.clone()).or_insert((
                ErrorCode::DuplicateResource.code(),
                "A user credential cannot be altered twice in the same request".into(),
            ));
        }
    }
    upserts.retain(|(u, _, _)| !errors.contains_key(u));
    deletions.retain(|(u, _)| !errors.contains_key(u));
    let stored = store.apply(upserts, deletions);
    let results = users
        .iter()
        .map(|u| match (errors.get(u), &stored) {
            (Some((code, msg)), _) => result(u, *code, Some(msg.clone())),
            (None, Err(e)) => {
                tracing::error!(error = %e, "cannot persist SCRAM credentials");
                result(
                    u,
                    ErrorCode::KafkaStorageError.code(),
                    Some("the broker could not write its credential store; see its log".into()),
                )
            }
            (None, Ok(())) => result(u, 0, None),
        })
        .collect();
    AlterUserScramCredentialsResponse::default().with_results(results)
}
