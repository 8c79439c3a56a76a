//! Kafka's ACL vocabulary: the resource type, pattern type, operation and permission enums with
//! their wire codes and the names Kafka's tools print, and the operation implications Kafka's
//! StandardAuthorizer applies (READ, WRITE, DELETE and ALTER imply DESCRIBE; ALTER_CONFIGS implies
//! DESCRIBE_CONFIGS; ALL implies everything).
//!
//! Shared by the broker (which authorises and stores ACLs) and the core (whose admin client sends
//! them); it decides nothing about who may do what.

macro_rules! kafka_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $code:literal, $text:literal;)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            /// A code this side does not know (Kafka's UNKNOWN, code 0).
            Unknown,
            $($variant,)*
        }

        impl $name {
            /// The wire code.
            pub const fn code(self) -> i8 {
                match self {
                    $name::Unknown => 0,
                    $($name::$variant => $code,)*
                }
            }

            /// From a wire code (`Unknown` for a code Kafka does not define).
            pub const fn from_code(code: i8) -> $name {
                match code {
                    $($code => $name::$variant,)*
                    _ => $name::Unknown,
                }
            }

            /// Kafka's upper-case name (`TOPIC`, `LITERAL`, `READ`, `ALLOW`).
            pub fn name(self) -> &'static str {
                match self {
                    $name::Unknown => "UNKNOWN",
                    $($name::$variant => $text,)*
                }
            }

            /// From a name, case-insensitive, `_` and `-` ignored (`TransactionalId`,
            /// `transactional-id`, `IDEMPOTENT_WRITE`).
            pub fn parse(text: &str) -> Option<$name> {
                let norm = |s: &str| {
                    s.chars()
                        .filter(|c| *c != '_' && *c != '-')
                        .collect::<String>()
                        .to_ascii_uppercase()
                };
                let want = norm(text);
                [$($name::$variant,)*].into_iter().find(|v| norm(v.name()) == want)
            }
        }

        impl From<$name> for i8 {
            fn from(v: $name) -> i8 {
                v.code()
            }
        }

        impl From<i8> for $name {
            fn from(code: i8) -> $name {
                $name::from_code(code)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

kafka_enum!(
    /// What an ACL protects.
    AclResourceType {
        Any = 1, "ANY";
        Topic = 2, "TOPIC";
        Group = 3, "GROUP";
        Cluster = 4, "CLUSTER";
        TransactionalId = 5, "TRANSACTIONAL_ID";
        DelegationToken = 6, "DELEGATION_TOKEN";
        User = 7, "USER";
    }
);

kafka_enum!(
    /// How the resource name matches (`MATCH` and `ANY` only in filters).
    PatternType {
        Any = 1, "ANY";
        Match = 2, "MATCH";
        Literal = 3, "LITERAL";
        Prefixed = 4, "PREFIXED";
    }
);

kafka_enum!(
    /// The operation an ACL allows or denies.
    AclOperation {
        Any = 1, "ANY";
        All = 2, "ALL";
        Read = 3, "READ";
        Write = 4, "WRITE";
        Create = 5, "CREATE";
        Delete = 6, "DELETE";
        Alter = 7, "ALTER";
        Describe = 8, "DESCRIBE";
        ClusterAction = 9, "CLUSTER_ACTION";
        DescribeConfigs = 10, "DESCRIBE_CONFIGS";
        AlterConfigs = 11, "ALTER_CONFIGS";
        IdempotentWrite = 12, "IDEMPOTENT_WRITE";
        CreateTokens = 13, "CREATE_TOKENS";
        DescribeTokens = 14, "DESCRIBE_TOKENS";
        TwoPhaseCommit = 15, "TWO_PHASE_COMMIT";
    }
);

kafka_enum!(
    /// Allow or deny.
    AclPermission {
        Any = 1, "ANY";
        Deny = 2, "DENY";
        Allow = 3, "ALLOW";
    }
);

impl AclOperation {
    /// Whether an ALLOW ACL for `self` also allows `wanted` (Kafka's implied operations).
    pub fn implies(self, wanted: AclOperation) -> bool {
        use AclOperation::*;
        self == wanted
            || self == All
            || (wanted == Describe && matches!(self, Read | Write | Delete | Alter))
            || (wanted == DescribeConfigs && self == AlterConfigs)
    }

    /// Whether a concrete ACL may carry this operation (ALL through TWO_PHASE_COMMIT; not ANY
    /// or UNKNOWN, which only filters use).
    pub fn is_concrete(self) -> bool {
        !matches!(self, AclOperation::Any | AclOperation::Unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes_round_trip() {
        assert_eq!(
            AclOperation::parse("IdempotentWrite"),
            Some(AclOperation::IdempotentWrite)
        );
        assert_eq!(
            AclOperation::parse("describe-configs"),
            Some(AclOperation::DescribeConfigs)
        );
        assert_eq!(
            AclResourceType::parse("transactional_id"),
            Some(AclResourceType::TransactionalId)
        );
        assert_eq!(PatternType::parse("prefixed"), Some(PatternType::Prefixed));
        assert_eq!(AclPermission::from_code(3), AclPermission::Allow);
        assert_eq!(AclOperation::Write.code(), 4);
        assert_eq!(AclOperation::from_code(99), AclOperation::Unknown);
        assert_eq!(AclOperation::parse("nope"), None);
        assert_eq!(AclOperation::TwoPhaseCommit.to_string(), "TWO_PHASE_COMMIT");
    }

    #[test]
    fn implications_are_kafkas() {
        use AclOperation::*;
        for op in [Read, Write, Delete, Alter, Describe] {
            assert!(op.implies(Describe), "{op} implies DESCRIBE");
        }
        assert!(!Create.implies(Describe));
        assert!(AlterConfigs.implies(DescribeConfigs));
        assert!(!DescribeConfigs.implies(AlterConfigs));
        assert!(All.implies(IdempotentWrite));
        assert!(!Read.implies(Write));
        assert!(!Any.is_concrete() && All.is_concrete() && TwoPhaseCommit.is_concrete());
    }
}
