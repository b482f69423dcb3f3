import Testing
@testable import DocketCore

@Suite struct DefinitionLoaderTests {
    @Test func smoke() throws {
        let text = """
        workflow: x
        version: 1
        roles: [clerk, aprover]
        states:
          a: { initial: true, intial: true }
          b: { final: true }
          c: {}
        transitions:
          - { event: go, from: a, to: bb, roles: [clerc] }
          - { event: go, from: a, to: b, roles: [clerk] }
          - { event: back, from: b, to: a, roles: [clerk] }
        """
        switch DefinitionLoader.load(text: text, file: "x.yaml") {
        case .success(let d): print(d.summary)
        case .failure(let e): print(e)
        }
    }
}
