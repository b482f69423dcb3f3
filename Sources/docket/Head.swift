import ArgumentParser
import DocketService
import DocketStore

/// `docket head`: sign the log's head with a key the file's writers do not hold, so that a later
/// `verify --heads` proves nothing before it was cut off or rewritten (Docs/security.md).
struct HeadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "head",
        abstract: "Sign the event log's head and keep the signatures off the machine.",
        subcommands: [HeadKeygen.self, HeadSign.self, HeadList.self])
}

/// `docket head keygen --key FILE`: a new Ed25519 signing key.
struct HeadKeygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create a head signing key and print its public key.",
        discussion: """
            Writes the private key to FILE (mode 0600; an existing file is never overwritten) and prints \
            the public key (ed25519:BASE64), which `docket verify --trust` takes. Keep the key where the \
            people and programs that can write the log file cannot read it: the user the server runs as, \
            or an operator's own account.
            """)

    @Option(help: ArgumentHelp("Where to write the new private key.", valueName: "file"))
    var key: String

    func run() throws {
        let key = try HeadSigningKey.create(path: key)
        print(key.publicKey.description)
    }
}

/// `docket head sign --key FILE --to HEADS`: sign the head now.
struct HeadSign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign the log's current head (last position and hash) and append it to a heads file.",
        discussion: """
            Run it on demand, or let `docket serve --head-key` sign every second. Copy the heads file to \
            another host (or hand each line to a witness service); `docket verify --heads FILE --trust KEY` \
            then proves that nothing up to the last head was rewritten or cut off.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("The head signing key (docket head keygen).", valueName: "file"))
    var key: String

    @Option(help: ArgumentHelp("The heads file to append the signed head to (one JSON line each).", valueName: "file"))
    var to: String?

    func run() throws {
        let session = try Session(store, create: false)
        let head = try HeadSigner(key: try HeadSigningKey.load(path: key)).signHead(of: session.store, exportTo: to)
        if try output.isJSON() {
            print(try JSONOutput.text(SignedHeadView(head)))
        } else {
            print("signed the head at position \(head.position) (\(head.hash.prefix(16))...) with key \(head.keyID)"
                  + (to.map { "; appended to \($0)" } ?? ""))
        }
    }
}

/// `docket head list`: the heads signed for this log, as it recorded them.
struct HeadList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the heads signed for this log (the log's own copy; the proof is the exported one).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let session = try Session(store, create: false)
        let heads = try session.store.signedHeads().map(SignedHeadView.init)
        if try output.isJSON() {
            print(try JSONOutput.text(heads))
        } else {
            var table = TextTable(["position", "hash", "signed at", "key"], rightAligned: [0])
            for head in heads { table.append([String(head.position), String(head.hash.prefix(16)) + "...", head.signedAt, head.keyID]) }
            print(table.render())
        }
    }
}
