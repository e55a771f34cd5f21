import Testing

@testable import FaxCore

@Suite struct DialPatternTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var pattern: String
        var number: String
        var matches: Bool
        var testDescription: String { "\(pattern) \(matches ? "~" : "!~") \(number)" }
    }

    static let table: [Case] = [
        Case(pattern: "200", number: "200", matches: true),
        Case(pattern: "200", number: "2000", matches: false),
        Case(pattern: "200", number: "20", matches: false),
        Case(pattern: "_2XX", number: "299", matches: true),
        Case(pattern: "_2XX", number: "2a9", matches: false),
        Case(pattern: "2XX", number: "300", matches: false),
        Case(pattern: "_ZXX", number: "100", matches: true),
        Case(pattern: "_ZXX", number: "012", matches: false),
        Case(pattern: "_NXX", number: "200", matches: true),
        Case(pattern: "_NXX", number: "100", matches: false),
        Case(pattern: "nxx", number: "955", matches: true),
        Case(pattern: "_[1-5]0", number: "30", matches: true),
        Case(pattern: "_[1-5]0", number: "60", matches: false),
        Case(pattern: "_[135]X", number: "51", matches: true),
        Case(pattern: "_[135]X", number: "21", matches: false),
        Case(pattern: "_[0-24-6]", number: "5", matches: true),
        Case(pattern: "_[0-24-6]", number: "3", matches: false),
        Case(pattern: "_49.", number: "4930123", matches: true),
        Case(pattern: "_49.", number: "49", matches: false),
        Case(pattern: "_49!", number: "49", matches: true),
        Case(pattern: "_49!", number: "4930", matches: true),
        Case(pattern: "_0900.", number: "09001234", matches: true),
        Case(pattern: "_0900.", number: "+4990012", matches: false),
        Case(pattern: "+49.", number: "+49301234", matches: true),
        Case(pattern: "_.5", number: "12345", matches: true),
        Case(pattern: "_.5", number: "5", matches: false),
        Case(pattern: "_!5", number: "5", matches: true),
        Case(pattern: "_X.X.X", number: "123", matches: false),
        Case(pattern: "_X.X.X", number: "12345", matches: true),
        Case(pattern: "_555-XXXX", number: "5551234", matches: true),
        Case(pattern: "*", number: "", matches: true),
        Case(pattern: "*", number: "anonymous", matches: true),
        Case(pattern: ".", number: "", matches: false),
        Case(pattern: "!", number: "", matches: true),
        Case(pattern: "12#", number: "12#", matches: true),
        Case(pattern: "_X", number: "٣", matches: false),
    ]

    @Test(arguments: table)
    func matchesLikeAsterisk(_ example: Case) throws {
        #expect(try DialPattern(example.pattern).matches(example.number) == example.matches)
    }

    @Test(arguments: ["", "_", "abc", "2*0", "_[1-", "_[]", "_[5-1]", "_[a]", "20 0", String(repeating: "X", count: 65)])
    func badPatternsAreRefused(_ text: String) {
        #expect(throws: FaxValidationError.self) { try DialPattern(text) }
    }

    @Test func manyWildcardsOnLongInputStayFast() throws {
        let pattern = try DialPattern("_" + String(repeating: "!X", count: 30) + "9")
        let number = String(repeating: "1", count: 5_000)
        let clock = ContinuousClock()
        let elapsed = clock.measure { #expect(!pattern.matches(number)) }
        #expect(elapsed < .seconds(2))
    }

    @Test func codesAsItsText() throws {
        let pattern = try DialPattern("_49X.")
        #expect(pattern.description == "_49X.")
        #expect(DialPattern.any.matches(""))
        #expect(pattern == (try DialPattern("_49X.")))
    }
}
