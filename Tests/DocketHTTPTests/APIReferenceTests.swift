import DocketTestSupport
import Foundation
import Testing

/// `Docs/api-reference.md` is generated from the OpenAPI document the server serves, so the page
/// people read cannot drift from the API: this test fails when they differ, and
/// `Scripts/api-reference` (this test with `DOCKET_WRITE_API_REFERENCE=1`) writes the page anew.
@Suite struct APIReferenceTests {
    static let page = Repository.root.appendingPathComponent("Docs/api-reference.md")

    @Test func theAPIReferencePageIsGeneratedFromTheOpenAPIDocument() async throws {
        let server = try TestServer()
        let document = try await server.test(.router) { api in try await api.get("/openapi.json", token: nil).text }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any])
        let markdown = APIReference.markdown(json)
        if ProcessInfo.processInfo.environment["DOCKET_WRITE_API_REFERENCE"] == "1" {
            try markdown.write(to: Self.page, atomically: true, encoding: .utf8)
        }
        let onDisk = try String(contentsOf: Self.page, encoding: .utf8)
        #expect(onDisk == markdown, "Docs/api-reference.md is out of date: run Scripts/api-reference")
    }
}

/// Markdown for people from an OpenAPI 3.1 document: every operation with its parameters, body
/// and answers, then every schema with its properties.
enum APIReference {
    static func markdown(_ document: [String: Any]) -> String {
        var out: [String] = []
        let info = document["info"] as? [String: Any] ?? [:]
        out.append("# \(info["title"] as? String ?? "API") reference (\(info["version"] as? String ?? ""))")
        out.append("")
        out.append("Generated from the OpenAPI \(document["openapi"] as? String ?? "") document the server serves at "
                   + "`/openapi.json` (`Sources/DocketHTTP/OpenAPI/OpenAPIDocument.swift`) by `Scripts/api-reference`; "
                   + "do not edit by hand. How to run the server, the errors and the conventions: [api.md](api.md).")
        if let description = info["description"] as? String { out += ["", description] }
        let methods = ["get", "post", "put", "patch", "delete"]
        let paths = document["paths"] as? [String: [String: Any]] ?? [:]
        let globalSecurity = !((document["security"] as? [Any]) ?? []).isEmpty
        out += ["", "## Operations", "", "| method | path | summary | token |", "|---|---|---|---|"]
        var sections: [String] = []
        for path in paths.keys.sorted() {
            for method in methods {
                guard let operation = paths[path]?[method] as? [String: Any] else { continue }
                let needsToken = (operation["security"] as? [Any]).map { !$0.isEmpty } ?? globalSecurity
                let summary = operation["summary"] as? String ?? ""
                out.append("| \(method.uppercased()) | `\(path)` | \(cell(summary)) | \(needsToken ? "bearer" : "none") |")
                sections += ["", "### \(method.uppercased()) `\(path)`", ""]
                if !summary.isEmpty { sections.append(summary) }
                if let description = operation["description"] as? String { sections += ["", description] }
                let parameters = operation["parameters"] as? [[String: Any]] ?? []
                if !parameters.isEmpty {
                    sections += ["", "| parameter | in | required | type | description |", "|---|---|---|---|---|"]
                    for parameter in parameters {
                        let schema = parameter["schema"] as? [String: Any] ?? [:]
                        sections.append("| `\(parameter["name"] as? String ?? "")` | \(parameter["in"] as? String ?? "") | "
                                        + "\((parameter["required"] as? Bool ?? false) ? "yes" : "no") | \(type(schema)) | "
                                        + "\(cell(parameter["description"] as? String ?? "")) |")
                    }
                }
                if let body = operation["requestBody"] as? [String: Any], let content = body["content"] as? [String: Any] {
                    for mediaType in content.keys.sorted() {
                        let schema = (content[mediaType] as? [String: Any])?["schema"] as? [String: Any] ?? [:]
                        sections += ["", "Body (`\(mediaType)`): \(type(schema))"]
                    }
                }
                let responses = operation["responses"] as? [String: Any] ?? [:]
                sections += ["", "| answer | description | body |", "|---|---|---|"]
                for status in responses.keys.sorted() {
                    let response = responses[status] as? [String: Any] ?? [:]
                    let content = response["content"] as? [String: Any] ?? [:]
                    let bodies = content.keys.sorted().map { mediaType -> String in
                        let schema = (content[mediaType] as? [String: Any])?["schema"] as? [String: Any] ?? [:]
                        return "`\(mediaType)` \(type(schema))"
                    }
                    sections.append("| \(status) | \(cell(response["description"] as? String ?? "")) | \(bodies.joined(separator: "<br>")) |")
                }
            }
        }
        out += sections
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]] ?? [:]
        if !schemas.isEmpty { out += ["", "## Schemas"] }
        for name in schemas.keys.sorted() {
            let schema = schemas[name] ?? [:]
            out += ["", "### \(name)", ""]
            if let description = schema["description"] as? String { out += [description, ""] }
            let properties = schema["properties"] as? [String: [String: Any]] ?? [:]
            let required = Set(schema["required"] as? [String] ?? [])
            if properties.isEmpty {
                out.append("Type: \(type(schema))")
                continue
            }
            out += ["| property | type | required | description |", "|---|---|---|---|"]
            for property in properties.keys.sorted() {
                let value = properties[property] ?? [:]
                out.append("| `\(property)` | \(type(value)) | \(required.contains(property) ? "yes" : "no") | \(cell(value["description"] as? String ?? "")) |")
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// A schema in a few words: a reference's name, `array of X`, a type with its enum.
    static func type(_ schema: [String: Any]) -> String {
        if let reference = schema["$ref"] as? String { return "[\(reference.split(separator: "/").last ?? "")](#\(reference.split(separator: "/").last?.lowercased() ?? ""))" }
        if let items = schema["items"] as? [String: Any] { return "array of \(type(items))" }
        if let options = schema["oneOf"] as? [[String: Any]] ?? schema["anyOf"] as? [[String: Any]] {
            return options.map(type).joined(separator: " or ")
        }
        var text = (schema["type"] as? String) ?? ((schema["type"] as? [String])?.joined(separator: " or ")) ?? "any"
        if let values = schema["enum"] as? [Any] { text += " (" + values.map { "`\($0)`" }.joined(separator: ", ") + ")" }
        if let format = schema["format"] as? String { text += ", \(format)" }
        return text
    }

    /// Text fit for one table cell.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
