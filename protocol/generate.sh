#!/usr/bin/env bash
# Regenerates the committed Swift code from the .proto files. The build never runs this; developers do, after
# changing a .proto file. Needs `protoc` (apt: protobuf-compiler) and swift-protobuf's protoc-gen-swift, built from
# the same swift-protobuf version the package resolves: PROTOC_GEN_SWIFT=/path/to/protoc-gen-swift.
# spi_changes.proto is package-wide (SPIReplication's change batches and knowledge travel in files and across this
# package's modules, but its public API wraps them: ChangeBatch, Knowledge); spi_sync.proto is internal to SPIProtocol,
# whose API is the plain SyncMessage (mapped in SyncMessage+Protobuf.swift).
set -euo pipefail
cd "$(dirname "$0")/.."
plugin="${PROTOC_GEN_SWIFT:-$(command -v protoc-gen-swift)}"
protoc --plugin=protoc-gen-swift="$plugin" --proto_path=protocol \
    --swift_out=Sources/SPIReplication/Generated --swift_opt=Visibility=Package --swift_opt=UseAccessLevelOnImports=true protocol/spi_changes.proto
if [ -f protocol/spi_sync.proto ]; then
    protoc --plugin=protoc-gen-swift="$plugin" --proto_path=protocol \
        --swift_out=Sources/SPIProtocol/Generated --swift_opt=Visibility=Internal --swift_opt=UseAccessLevelOnImports=true \
        --swift_opt=ProtoPathModuleMappings=protocol/module_mappings.asciipb protocol/spi_sync.proto
fi
