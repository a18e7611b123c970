//! Generates the Rust code of `proto/finrisk/v1/finrisk.proto` with tonic-prost-build, using
//! the protoc binary vendored in `protoc-bin-vendored` (no system protoc needed) unless
//! `PROTOC` is set.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto/finrisk/v1/finrisk.proto");
    println!("cargo:rerun-if-env-changed=PROTOC");
    let protoc = match std::env::var_os("PROTOC") {
        Some(p) => PathBuf::from(p),
        None => protoc_bin_vendored::protoc_bin_path()?,
    };
    let mut config = tonic_prost_build::Config::new();
    config.protoc_executable(protoc);
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    tonic_prost_build::configure()
        .file_descriptor_set_path(out.join("finrisk_v1_descriptor.bin"))
        .compile_with_config(config, &["proto/finrisk/v1/finrisk.proto"], &["proto"])?;
    Ok(())
}
