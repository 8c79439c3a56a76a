//! SCRAM (RFC 5802 / RFC 7677) vocabulary shared by the broker and the core: the two mechanisms
//! with Kafka's names and AdminClient type ids, Kafka's iteration bounds, and the SaltedPassword
//! derivation (`Hi()`, PBKDF2-HMAC-SHA-256/512) that the broker runs on a password from its
//! configuration and the core runs before AlterUserScramCredentials, so the password itself
//! never goes on the wire. It holds no state and logs nothing (its inputs are secrets).

/// A SCRAM mechanism with Kafka's name and AdminClient type id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ScramMechanism {
    Sha256,
    Sha512,
}

/// Kafka's lower bound on SCRAM iterations (`ScramMechanism.minIterations`), also its default.
pub const MIN_ITERATIONS: u32 = 4096;
/// Kafka's upper bound on SCRAM iterations (`ScramFormatter` / AlterUserScramCredentials).
pub const MAX_ITERATIONS: u32 = 16384;

impl ScramMechanism {
    /// From Kafka's name (`SCRAM-SHA-256`, `SCRAM-SHA-512`).
    pub fn from_name(name: &str) -> Option<ScramMechanism> {
        match name {
            "SCRAM-SHA-256" => Some(ScramMechanism::Sha256),
            "SCRAM-SHA-512" => Some(ScramMechanism::Sha512),
            _ => None,
        }
    }

    /// Kafka's name.
    pub fn name(self) -> &'static str {
        match self {
            ScramMechanism::Sha256 => "SCRAM-SHA-256",
            ScramMechanism::Sha512 => "SCRAM-SHA-512",
        }
    }

    /// The type id DescribeUserScramCredentials / AlterUserScramCredentials use (1 and 2).
    pub fn type_id(self) -> i8 {
        match self {
            ScramMechanism::Sha256 => 1,
            ScramMechanism::Sha512 => 2,
        }
    }

    /// From the type id of those APIs.
    pub fn from_type_id(id: i8) -> Option<ScramMechanism> {
        match id {
            1 => Some(ScramMechanism::Sha256),
            2 => Some(ScramMechanism::Sha512),
            _ => None,
        }
    }

    /// The hash's output length in bytes (32 or 64), which is also SaltedPassword's.
    pub fn output_len(self) -> usize {
        match self {
            ScramMechanism::Sha256 => 32,
            ScramMechanism::Sha512 => 64,
        }
    }
}

/// SaltedPassword := Hi(password, salt, iterations), PBKDF2 with HMAC over the mechanism's hash.
pub fn salted_password(
    mechanism: ScramMechanism,
    password: &[u8],
    salt: &[u8],
    iterations: u32,
) -> Vec<u8> {
    match mechanism {
        ScramMechanism::Sha256 => {
            pbkdf2::pbkdf2_hmac_array::<sha2::Sha256, 32>(password, salt, iterations).to_vec()
        }
        ScramMechanism::Sha512 => {
            pbkdf2::pbkdf2_hmac_array::<sha2::Sha512, 64>(password, salt, iterations).to_vec()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salted_password_is_rfc7677_hi() {
        // RFC 7677's SCRAM-SHA-256 example: password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==,
        // 4096 iterations; SaltedPassword starts with c4a49510323ab4f952cac1fa99441939.
        let salt = [
            0x5b, 0x6d, 0x99, 0x68, 0x9d, 0x12, 0x35, 0x8e, 0xec, 0xa0, 0x4b, 0x14, 0x12, 0x36,
            0xfa, 0x81,
        ];
        let out = salted_password(ScramMechanism::Sha256, b"pencil", &salt, 4096);
        assert_eq!(out.len(), ScramMechanism::Sha256.output_len());
        assert_eq!(&out[..4], &[0xc4, 0xa4, 0x95, 0x10]);
        assert_eq!(
            salted_password(ScramMechanism::Sha512, b"x", &salt, 4096).len(),
            ScramMechanism::Sha512.output_len()
        );
    }

    #[test]
    fn names_and_type_ids_round_trip() {
        for m in [ScramMechanism::Sha256, ScramMechanism::Sha512] {
            assert_eq!(ScramMechanism::from_name(m.name()), Some(m));
            assert_eq!(ScramMechanism::from_type_id(m.type_id()), Some(m));
        }
        assert_eq!(ScramMechanism::from_name("PLAIN"), None);
        assert_eq!(ScramMechanism::from_type_id(0), None);
    }
}
