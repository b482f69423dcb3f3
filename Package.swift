// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Docket",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "docket", targets: ["docket"]),
        .library(name: "DocketCore", targets: ["DocketCore"]),
        .library(name: "DocketStore", targets: ["DocketStore"]),
        .library(name: "DocketAnalytics", targets: ["DocketAnalytics"]),
        .library(name: "DocketInterop", targets: ["DocketInterop"]),
        .library(name: "DocketService", targets: ["DocketService"]),
        .library(name: "DocketAuth", targets: ["DocketAuth"]),
        .library(name: "DocketPostgres", targets: ["DocketPostgres"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // 4.x: jwt-kit 5.8 requires it (the SHA-256 API the store and the service use is unchanged).
        .package(url: "https://github.com/apple/swift-crypto", from: "4.1.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        // The HTTP server (`docket serve`). Hummingbird's swift-configuration support is not used:
        // only its FullFoundation trait is enabled, which spares the build a package.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Hummingbird's HTTP field names and statuses (its own dependency, named for the imports).
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0", traits: []),
        // The tests' streaming client for server-sent events (HummingbirdTesting's own dependency).
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.30.0"),
        // The PostgreSQL store (`DOCKET_DB=postgres://...`): the wire protocol, its connection pool and TLS.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // postgres-nio's own dependencies, named for the imports: event loops and TLS configuration.
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.25.0"),
        // `swift package generate-documentation`: the libraries' DocC catalogs, built in CI.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // System zlib, for reading gzip-compressed event logs.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),

        // Pure domain: definitions, engine (decide/evolve), business calendars. No I/O.
        .target(
            name: "DocketCore",
            dependencies: [.product(name: "Yams", package: "Yams")]),

        // Everything stored: the event store (SQLite through GRDB, with a hash-chained, append-only
        // log) and the analytics projection's store (its facts are DocketAnalytics' types).
        .target(
            name: "DocketStore",
            dependencies: [
                "DocketCore", "DocketAnalytics",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The SQLite C API GRDB itself links: the append and scan hot paths bind and read
                // columns directly.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // The event log on PostgreSQL (`PostgresEventStore`): the same contract, hash chain and
        // verification as the SQLite store, for an authority that outgrows one file.
        .target(
            name: "DocketPostgres",
            dependencies: [
                "DocketCore", "DocketStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // Pure, streaming folds from events to figures.
        .target(
            name: "DocketAnalytics",
            dependencies: ["DocketCore"]),

        // Streaming XES / CSV readers and writers.
        .target(
            name: "DocketInterop",
            dependencies: ["DocketCore", "CZlib"]),

        // The application layer: runs commands against the store, keeps projections, demo, simulation.
        .target(
            name: "DocketService",
            dependencies: [
                "DocketCore", "DocketStore", "DocketAnalytics", "DocketInterop",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                // SHA-256 of imported log files (their identity for idempotent imports).
                .product(name: "Crypto", package: "swift-crypto"),
            ]),

        // Authentication: who a bearer token proves (JWTs from the identity provider, API tokens
        // Docket issued to service accounts), and the development signing key.
        .target(
            name: "DocketAuth",
            dependencies: [
                "DocketCore", "DocketStore", "DocketService",
                .product(name: "JWTKit", package: "jwt-kit"),
                // Random secrets, SHA-256 of API tokens' secrets, the development P-256 key.
                .product(name: "Crypto", package: "swift-crypto"),
            ]),

        // The HTTP API (`docket serve`): routes over the same services as the CLI, authentication,
        // problem details, metrics, server-sent events of the log, lifecycle.
        .target(
            name: "DocketHTTP",
            dependencies: [
                "DocketCore", "DocketStore", "DocketService",
                .product(name: "Hummingbird", package: "hummingbird"),
                // `MaximumAvailableConnections`, the bound on open connections.
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]),

        // The command-line interface: parse, call, print.
        .executableTarget(
            name: "docket",
            dependencies: [
                "DocketCore", "DocketStore", "DocketAnalytics", "DocketInterop", "DocketService", "DocketAuth", "DocketHTTP",
                // `--db postgres://...`: the event log on PostgreSQL.
                "DocketPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // `serve --jwks https://...`: the identity provider's keys, fetched at start.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            linkerSettings: [
                // Every command is a process of its own: with the Swift runtime and Foundation linked
                // statically the dynamic loader has a third less to do at each start (about 6 ms of
                // a `docket fire`, Docs/performance.md). The static Foundation libraries need their
                // support libraries named, which `swift build --static-swift-stdlib` would do.
                .unsafeFlags(
                    ["-static-stdlib", "-Xlinker", "--start-group", "-Xlinker", "-lFoundation", "-Xlinker", "-lCoreFoundation",
                     "-Xlinker", "-lFoundationInternationalization", "-Xlinker", "-lFoundationEssentials",
                     "-Xlinker", "-l_FoundationICU", "-Xlinker", "-l_FoundationCollections", "-Xlinker", "-l_FoundationCShims",
                     "-Xlinker", "-lswiftDispatch", "-Xlinker", "-ldispatch", "-Xlinker", "-lBlocksRuntime",
                     "-Xlinker", "-lswiftSynchronization", "-Xlinker", "-lswift_StringProcessing", "-Xlinker", "-lswift_RegexParser",
                     "-Xlinker", "--end-group"],
                    .when(platforms: [.linux], configuration: .release)),
            ]),

        // Benchmarks/run's in-process measurements; not a test target, not part of `swift test`.
        .executableTarget(
            name: "DocketBenchmarks",
            dependencies: ["DocketCore", "DocketStore", "DocketService", "DocketSynthetic", "DocketPostgres"],
            path: "Benchmarks/DocketBenchmarks"),

        // Generated workflow definitions of any size (text only, no dependencies), shared by the
        // validation-at-scale tests and the benchmarks; not a test target.
        .target(name: "DocketSynthetic", path: "Tests/DocketSynthetic"),

        // What the test targets share (not a test target): the one harness that runs the real
        // `docket` (and any other process), temporary directories that are always removed, the
        // repository's fixtures and `../shared/data`, and prerequisite checks
        // (`DOCKET_REQUIRE_PREREQUISITES=1` turns a missing one from a skip into a failure).
        .target(name: "DocketTestSupport", path: "Tests/DocketTestSupport"),

        .testTarget(name: "DocketCoreTests", dependencies: ["DocketCore", "DocketTestSupport", "DocketSynthetic"]),
        .testTarget(
            name: "DocketStoreTests",
            dependencies: [
                "DocketStore", "DocketCore", "DocketAnalytics", "DocketTestSupport",
                // Raw SQL for tampering and fault tests, behind the store's back.
                .product(name: "GRDB", package: "GRDB.swift"),
                // The contract suite runs against PostgreSQL too (a throwaway cluster, DocketTestSupport).
                "DocketPostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]),
        .testTarget(name: "DocketAnalyticsTests", dependencies: ["DocketAnalytics", "DocketCore"]),
        .testTarget(name: "DocketInteropTests", dependencies: ["DocketInterop", "DocketAnalytics", "DocketCore", "DocketTestSupport"]),
        .testTarget(
            name: "DocketServiceTests",
            dependencies: [
                "DocketService", "DocketStore", "DocketCore", "DocketAnalytics", "DocketInterop", "DocketTestSupport",
                "DocketSynthetic", "DocketPostgres",
                // Raw SQL for the test that edits the analytics tables behind the store's back.
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(
            name: "DocketAuthTests",
            dependencies: [
                "DocketAuth", "DocketService", "DocketStore", "DocketCore", "DocketTestSupport",
                // Tokens the tests sign themselves: other keys, RS256, HS256 and `none`.
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                // An RSA key to sign RS256 tokens with.
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]),
        .testTarget(name: "DocketCLITests", dependencies: ["docket", "DocketTestSupport"]),
        .testTarget(
            name: "DocketHTTPTests",
            dependencies: [
                "DocketHTTP", "DocketService", "DocketStore", "DocketCore", "DocketTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // The server's log lines, captured to check their request ids.
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]),
    ]
)
