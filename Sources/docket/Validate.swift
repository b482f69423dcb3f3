import ArgumentParser
import DocketService

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check workflow definitions and calendars, reporting every problem as FILE:LINE:COLUMN: error: message.")

    @Argument(help: ArgumentHelp("Definition or calendar files, or directories of them.", valueName: "file"))
    var files: [String]

    func run() throws {
        let artifacts = try ArtifactFile.expand(files).map { try ArtifactFile(path: $0) }
        // Calendars the files name but do not contain are looked up in Workflows/calendars/ beside them.
        let validated = try Deployer.validate(artifacts).get()
        for artifact in validated {
            print("\(artifact.file.path): ok: \(artifact.summary)")
        }
    }
}
