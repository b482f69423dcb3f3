import ArgumentParser

@main
struct Docket: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Event-sourced approval workflows.",
        subcommands: [Analyze.self])
}
