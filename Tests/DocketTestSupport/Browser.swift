import Foundation

/// Debian's headless Chromium, as the page tests use it: the DOM a person's browser builds from a
/// page, what its console said, and a screenshot of it.
///
/// Each call is a fresh browser with a throwaway profile; `--no-sandbox` because CI runs as root
/// (Chromium refuses to start sandboxed as root), which is safe here: it only opens the pages the
/// test just wrote.
public enum HeadlessBrowser {
    /// What loading a page left.
    public struct Load: Sendable {
        /// The DOM after loading (`--dump-dom`).
        public var dom: String
        /// Everything the page wrote to its console: script errors, invalid SVG attributes,
        /// blocked loads. A page of Docket's writes nothing there.
        public var consoleMessages: [String]
    }

    /// The browser's executable, when installed.
    public static var executable: URL? { Processes.tool("chromium") ?? Processes.tool("chromium-browser") }

    private static func run(_ arguments: [String], page: String) throws -> ProcessResult {
        guard let executable else { throw MissingPrerequisite([.chromium]) }
        let profile = TemporaryDirectory("chromium-profile")
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                      "--user-data-dir=\(profile.url.path)", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=3000",
                      "--hide-scrollbars"]
        let url = URL(fileURLWithPath: page).absoluteString
        return try withExtendedLifetime(profile) {
            try Processes.run(executable, common + arguments + [url], timeout: 120)
        }
    }

    /// Loads `page` (a file) and returns its DOM and console messages.
    public static func load(_ page: String) throws -> Load {
        let result = try run(["--dump-dom"], page: page)
        guard result.status == 0, !result.stdout.isEmpty else {
            throw BrowserFailure("chromium --dump-dom \(page) exited \(result.status): \(result.stderr.suffix(2000))")
        }
        let console = result.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
        return Load(dom: result.stdout, consoleMessages: console)
    }

    /// A PNG screenshot of `page`, `width` by `height` CSS pixels, written to `png`.
    public static func screenshot(_ page: String, to png: String, width: Int = 1280, height: Int = 2400) throws {
        let result = try run(["--screenshot=\(png)", "--window-size=\(width),\(height)"], page: page)
        guard result.status == 0, FileManager.default.fileExists(atPath: png) else {
            throw BrowserFailure("chromium --screenshot \(page) exited \(result.status): \(result.stderr.suffix(2000))")
        }
    }

    /// How many distinct colours a PNG's pixels have (decoded by Python's zlib, at most 256
    /// counted): 1 for a blank page.
    public static func distinctColours(_ png: String) throws -> Int {
        let script = """
            import struct, sys, zlib
            data = open(sys.argv[1], 'rb').read()
            assert data[:8] == b'\\x89PNG\\r\\n\\x1a\\n', 'not a PNG'
            pos, idat, width, height, bpp = 8, b'', 0, 0, 4
            while pos < len(data):
                n, kind = struct.unpack('>I4s', data[pos:pos + 8]); body = data[pos + 8:pos + 8 + n]; pos += 12 + n
                if kind == b'IHDR':
                    width, height, depth, colour = struct.unpack('>IIBB', body[:10])
                    bpp = {2: 3, 6: 4, 0: 1, 4: 2}[colour] * depth // 8
                elif kind == b'IDAT': idat += body
            raw = zlib.decompress(idat); stride = width * bpp; prev = bytearray(stride); colours = set()
            for y in range(height):
                f = raw[y * (stride + 1)]; line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
                for i in range(stride):
                    a = line[i - bpp] if i >= bpp else 0; b = prev[i]; c = prev[i - bpp] if i >= bpp else 0
                    if f == 1: line[i] = (line[i] + a) & 255
                    elif f == 2: line[i] = (line[i] + b) & 255
                    elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
                    elif f == 4:
                        p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                        line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
                prev = line
                if y % 4 == 0:
                    for x in range(0, stride, bpp * 3): colours.add(bytes(line[x:x + bpp]))
                if len(colours) >= 256: break
            print(len(colours))
            """
        let result = try Processes.run(tool: "python3", ["-c", script, png])
        guard result.status == 0, let n = Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BrowserFailure("decoding \(png) failed: \(result.stderr)")
        }
        return n
    }
}

/// The browser did not do what a test asked.
public struct BrowserFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension Prerequisite {
    /// Debian's `chromium`, for the tests that look at pages as a person would.
    public static var chromium: Prerequisite {
        Prerequisite("the chromium browser on PATH", remedy: "apt-get install chromium") { HeadlessBrowser.executable != nil }
    }

    /// Graphviz's `dot`, which lays out the pages' diagrams.
    public static var graphviz: Prerequisite { tool("dot", "graphviz") }

    /// A font with Chinese characters, so that the screenshots show Chinese names, not boxes.
    public static var chineseFont: Prerequisite {
        Prerequisite("a font with Chinese characters (fc-list :lang=zh)", remedy: "apt-get install fonts-noto-cjk") {
            guard let result = try? Processes.run(tool: "fc-list", [":lang=zh"]) else { return false }
            return result.status == 0 && !result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        }
    }
}
