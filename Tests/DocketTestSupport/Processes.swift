import Foundation

/// What a finished process left: its exit status and everything it wrote.
public struct ProcessResult: Sendable {
    /// The exit status, or the signal number when ``exited`` is false.
    public var status: Int32
    /// False when the process died of a signal (a crash, or a test's kill -9).
    public var exited: Bool
    public var stdout: String
    public var stderr: String
    /// The standard output as bytes (``stdout`` is it decoded as UTF-8).
    public var stdoutData: Data
}

/// A process that outlived its time limit; it was killed with SIGKILL.
public struct ProcessTimedOut: Error, CustomStringConvertible {
    public var command: [String]
    public var seconds: Double
    public var stdout: String
    public var stderr: String

    public var description: String {
        "\(command.joined(separator: " ")) did not finish within \(seconds) s and was killed; stderr: \(stderr.suffix(2000))"
    }
}

/// A started process whose output is collected as it comes (so it never blocks on a full pipe).
public final class RunningProcess: @unchecked Sendable {
    // @unchecked: `process` is configured before it starts; the collected output is locked.
    public let process: Process
    public let command: [String]
    private let input: Pipe?
    private let stdoutData = Locked(Data())
    private let stderrData = Locked(Data())
    private let readers = DispatchGroup()
    private let terminated = DispatchSemaphore(value: 0)
    private let outcome = Locked<ProcessResult?>(nil)

    /// Starts `executable arguments`. `environment` replaces the inherited one when given;
    /// `stdin` is written to the process's standard input, then closed; with `interactive` the
    /// input stays open for ``write(_:)``; otherwise the process reads an empty standard input.
    init(executable: URL, arguments: [String], environment: [String: String]?, currentDirectory: URL?,
         stdin: Data?, interactive: Bool) throws {
        process = Process()
        command = [executable.path] + arguments
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        if stdin != nil || interactive {
            let pipe = Pipe()
            process.standardInput = pipe
            input = pipe
        } else {
            process.standardInput = FileHandle.nullDevice
            input = nil
        }
        let terminated = self.terminated
        process.terminationHandler = { _ in terminated.signal() }
        try process.run()
        // A thread of its own per pipe (not the shared dispatch pool, which many processes
        // blocked on reads could exhaust).
        for (pipe, data) in [(out, stdoutData), (err, stderrData)] {
            readers.enter()
            let readers = self.readers
            Thread {
                let handle = pipe.fileHandleForReading
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    data.update { $0.append(chunk) }
                }
                readers.leave()
            }.start()
        }
        if let stdin, let input {
            DispatchQueue.global().async {
                try? input.fileHandleForWriting.write(contentsOf: stdin)
                if !interactive { try? input.fileHandleForWriting.close() }
            }
        }
    }

    public var processIdentifier: Int32 { process.processIdentifier }

    /// Sends `signal` (e.g. `SIGKILL`) to the process.
    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Writes to the standard input of a process started `interactive`.
    public func write(_ text: String) {
        try? input?.fileHandleForWriting.write(contentsOf: Data(text.utf8))
    }

    /// Closes the standard input of a process started `interactive`.
    public func closeInput() { try? input?.fileHandleForWriting.close() }

    /// What the process has written to its standard output so far.
    public var stdoutSoFar: String { String(decoding: stdoutData.value, as: UTF8.self) }

    /// Waits until the standard output holds `text`; throws if the process ends or `timeout`
    /// passes first.
    public func waitForOutput(containing text: String, timeout: TimeInterval = Processes.defaultTimeout) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !stdoutSoFar.contains(text) {
            if !process.isRunning, !stdoutSoFar.contains(text) {
                throw ProcessTimedOut(command: command, seconds: 0, stdout: stdoutSoFar,
                                      stderr: "ended before writing \(text): " + String(decoding: stderrData.value, as: UTF8.self))
            }
            if Date() > deadline {
                signal(SIGKILL)
                throw ProcessTimedOut(command: command, seconds: timeout, stdout: stdoutSoFar,
                                      stderr: "no \(text) yet: " + String(decoding: stderrData.value, as: UTF8.self))
            }
            usleep(2_000)
        }
    }

    /// Waits for the process to end and returns what it wrote. A process still running after
    /// `timeout` seconds is killed, and ``ProcessTimedOut`` thrown.
    @discardableResult
    public func wait(timeout: TimeInterval = Processes.defaultTimeout) throws -> ProcessResult {
        if let result = outcome.value { return result }
        var timedOut = false
        if terminated.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            signal(SIGKILL)
            terminated.wait()
        }
        closeInput()
        readers.wait()
        process.waitUntilExit()
        let result = ProcessResult(
            status: process.terminationStatus, exited: process.terminationReason == .exit,
            stdout: String(decoding: stdoutData.value, as: UTF8.self), stderr: String(decoding: stderrData.value, as: UTF8.self),
            stdoutData: stdoutData.value)
        outcome.set(result)
        if timedOut {
            throw ProcessTimedOut(command: command, seconds: timeout, stdout: result.stdout, stderr: result.stderr)
        }
        return result
    }
}

/// Running processes from tests: the real `docket` (through ``DocketBench``), tools such as
/// `sqlite3` or `gzip`, and the test binary itself.
public enum Processes {
    /// How long a process may run before it is killed and its test fails: 600 s, or
    /// `DOCKET_TEST_PROCESS_TIMEOUT` seconds.
    public static var defaultTimeout: TimeInterval {
        ProcessInfo.processInfo.environment["DOCKET_TEST_PROCESS_TIMEOUT"].flatMap(TimeInterval.init) ?? 600
    }

    /// Starts `executable arguments` (see ``RunningProcess``); `environment` adds to the inherited one.
    public static func start(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                             currentDirectory: URL? = nil, stdin: Data? = nil, interactive: Bool = false) throws -> RunningProcess {
        try RunningProcess(executable: executable, arguments: arguments,
                           environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
                           currentDirectory: currentDirectory, stdin: stdin, interactive: interactive)
    }

    /// Runs `executable arguments` to the end (killed, and ``ProcessTimedOut`` thrown, after `timeout`).
    @discardableResult
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                           currentDirectory: URL? = nil, stdin: Data? = nil,
                           timeout: TimeInterval = defaultTimeout) throws -> ProcessResult {
        try start(executable, arguments, environment: environment, currentDirectory: currentDirectory, stdin: stdin).wait(timeout: timeout)
    }

    /// The executable `name` on `PATH`, if any.
    public static func tool(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs the tool `name` from `PATH` (``Prerequisite/tool(_:_:)`` names it in tests that need it).
    @discardableResult
    public static func run(tool name: String, _ arguments: [String], stdin: Data? = nil,
                           timeout: TimeInterval = defaultTimeout) throws -> ProcessResult {
        guard let executable = tool(name) else { throw MissingPrerequisite([.tool(name)]) }
        return try run(executable, arguments, stdin: stdin, timeout: timeout)
    }
}
