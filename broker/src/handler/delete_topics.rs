//! DeleteTopics: by name (v0-v5) or by name or topic id (v6+); data is removed and the
//! topic's committed offsets are dropped.

use ferrokafka_protocol::ErrorCode;
use kafka_protocol::messages::delete_topics_response::DeletableTopicResult;
use kafka_protocol::messages::{DeleteTopicsRequest, DeleteTopicsResponse, TopicName};

use super::sb;
use crate::context::{Operation, RequestContext, Resource};
use crate::state::BrokerState;

pub fn handle(
    state: &BrokerState,
    ctx: &RequestContext<'_>,
    req: DeleteTopicsRequest,
) -> DeleteTopicsResponse {
    let version = ctx.api_version;
    let targets: Vec<(Option<String>, uuid::Uuid)> = if version >= 6 {
        req.topics
            .into_iter()
            .map(|t| (t.name.map(|n| n.0.as_str().to_string()), t.topic_id))
            .collect()
    } else {
        req.topic_names
            .into_iter()
            .map(|n| (Some(n.0.as_str().to_string()), uuid::Uuid::nil()))
            .collect()
    };
    let responses = targets
        .into_iter()
        .map(|(name, id)| {
            let name = match name {
                Some(n) => n,
                None => match state.topics.get_by_id(&id) {
                    Some(t) => t.name.clone(),
                    None => {
                        return DeletableTopicResult::default()
                            .with_topic_id(id)
                            .with_error_code(ErrorCode::UnknownTopicId.code())
                            .with_error_message(Some(sb(
                                "This server does not host this topic ID.",
                            )));
                    }
                },
            };
            let result =
                DeletableTopicResult::default().with_name(Some(TopicName(sb(name.clone()))));
            if !ctx.authorize(Operation::Delete, Resource::Topic(&name)) {
                return result
                    .with_topic_id(id)
                    .with_error_code(ErrorCode::TopicAuthorizationFailed.code())
                    .with_error_message(Some(sb("Authorization failed.")));
            }
            match state.topics.delete(&name) {
                Ok(topic) => {
                    state.groups.on_topic_deleted(&name);
                    result.with_topic_id(topic.id).with_error_code(0)
                }
                Err(e) => result
                    .with_topic_id(id)
                    .with_error_code(e.code())
                    .with_error_message(Some(sb(e.to_string()))),
            }
        })
        .collect();
    DeleteTopicsResponse::default().with_responses(responses)
}
