import Testing

@testable import FaxCore

@Suite("Secrets and untrusted text")
struct SecretAndUntrustedTextTests {
    struct Holder {
        var name = "ami"
        var secret: Secret = "hunter2-very-secret"
        var optional: Secret? = Secret("s3cret pass")
    }

    @Test func aSecretNeverShowsItselfWhereverItIsPrinted() {
        let holder = Holder()
        var dumped = ""
        dump(holder, to: &dumped)
        let renderings = [
            "\(holder)", String(describing: holder), String(reflecting: holder), dumped,
            "\(holder.secret)", String(reflecting: holder.optional as Any),
            Mirror(reflecting: holder.secret).children.map { "\($0.value)" }.joined(),
        ]
        for text in renderings {
            #expect(!text.contains("hunter2"), "\(text)")
            #expect(!text.contains("s3cret"), "\(text)")
        }
        #expect("\(holder.secret)" == Secret.redacted)
        #expect(holder.secret.revealed == "hunter2-very-secret")
    }

    @Test func aSecretMatchesOnlyItself() {
        let secret = Secret("0123456789abcdef")
        #expect(secret.matches("0123456789abcdef"))
        for wrong in ["", "0123456789abcde", "0123456789abcdeF", "0123456789abcdef0", "x", "0123456789abcdef0123456789abcdef"] {
            #expect(!secret.matches(wrong), "\(wrong)")
        }
        #expect(!Secret("").matches("a"))
        #expect(Secret("").matches(""))
        #expect(Secret("a") == Secret("a"))
        #expect(Secret("a") != Secret("b"))
    }

    @Test func controlCharactersAndBidiOverridesAreRemoved() {
        // What a hostile caller id looked like: clear the screen, retitle the terminal, bell.
        #expect(UntrustedText.cleaned("555\u{1B}[2J\u{1B}]0;owned\u{07}") == "555[2J]0;owned")
        #expect(UntrustedText.cleaned("a\u{0}b\u{7F}c\u{9B}31md\u{85}e") == "abc31mde")
        #expect(UntrustedText.cleaned("\u{202E}txt.exe\u{202C} \u{2066}x\u{2069}\u{200F}") == "txt.exe x")
        #expect(UntrustedText.cleaned("line\r\nbreak\ttab") == "linebreaktab")
        // Everything printable stays, non-ASCII letters too.
        #expect(UntrustedText.cleaned("+49 (30) 555-0100 Jörg Müller 東京") == "+49 (30) 555-0100 Jörg Müller 東京")
    }
}
