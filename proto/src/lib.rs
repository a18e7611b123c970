//! finrisk-proto: the gRPC contract of finrisk (`proto/finrisk/v1/finrisk.proto`) and the Rust
//! code tonic generates from it. Nothing else lives here: conversions to the engine's types are
//! in the server, so the contract stays the single source of truth.

/// `finrisk.v1`: messages, the `RiskAssessment` client and server.
#[allow(missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]
pub mod v1 {
    tonic::include_proto!("finrisk.v1");
}

/// The encoded file descriptor set, for server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("finrisk_v1_descriptor");

/// The proto source, for clients that generate their own stubs (`GetRuleset`-style discovery).
pub const PROTO_SOURCE: &str = include_str!("../proto/finrisk/v1/finrisk.proto");

#[cfg(test)]
mod tests {
    #[test]
    fn descriptor_names_the_service() {
        let text = String::from_utf8_lossy(super::FILE_DESCRIPTOR_SET);
        assert!(text.contains("RiskAssessment"));
        assert!(super::PROTO_SOURCE.contains("package finrisk.v1;"));
    }
}
