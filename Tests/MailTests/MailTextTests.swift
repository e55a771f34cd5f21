import Foundation
import Mail
import Testing

@Suite("Mail text: encoded words, parameters, charsets, HTML, file names")
struct MailTextTests {
    @Test(arguments: [
        ("=?UTF-8?B?SGVsbG8gV8O2cmxk?=", "Hello Wörld"),
        ("=?iso-8859-1?q?J=F6rg?= <j@x.y>", "Jörg <j@x.y>"),
        ("=?utf-8?Q?a?= =?utf-8?Q?b?=", "ab"),
        ("=?utf-8?Q?a?=\t =?utf-8?Q?_b?=", "a b"),
        ("=?utf-8?Q?a?= x =?utf-8?Q?b?=", "a x b"),
        // A character split across two words is joined before decoding.
        ("=?utf-8?B?w6Q=?= =?utf-8?B?w7Y=?=", "äö"),
        ("=?UTF-8?B?4oI=?==?UTF-8?B?rA==?=", "€"),
        ("=?utf-8*de?Q?Stra=C3=9Fe?=", "Straße"),
        ("=?windows-1252?Q?=80_5?=", "€ 5"),
        ("=?utf-8?X?abc?=", "=?utf-8?X?abc?="),
        ("=?utf-8?B?not base64?=", "=?utf-8?B?not base64?="),
        ("plain =? text ?=", "plain =? text ?="),
        ("=?koi8-r?B?8NLJ18XU?=", "\u{F0}\u{D2}\u{C9}\u{D7}\u{C5}\u{D4}"),
    ])
    func encodedWords(encoded: String, decoded: String) {
        #expect(EncodedWords.decode(encoded) == decoded)
    }

    @Test func parameters() {
        let type = MIMEParameterizedValue(parsing: "Multipart/Mixed;\tboundary=\"a;b\\\"c\" ; charset=UTF-8;;")
        #expect(type.value == "multipart/mixed")
        #expect(type[parameter: "BOUNDARY"] == "a;b\"c")
        #expect(type[parameter: "charset"] == "UTF-8")

        let extended = MIMEParameterizedValue(parsing: "attachment; filename=fallback.pdf; filename*=iso-8859-1'de'F%FCr%20Sie.pdf")
        #expect(extended[parameter: "filename"] == "Für Sie.pdf")

        let continued = MIMEParameterizedValue(parsing:
            "attachment; filename*0*=UTF-8''Sehr%20lan; filename*1*=ger%20Name; filename*2=\" und Rest.pdf\"")
        #expect(continued[parameter: "filename"] == "Sehr langer Name und Rest.pdf")

        let gap = MIMEParameterizedValue(parsing: "attachment; filename*0=a; filename*2=c")
        #expect(gap[parameter: "filename"] == "a")

        let unquotedSpaces = MIMEParameterizedValue(parsing: "attachment; filename=my file.pdf")
        #expect(unquotedSpaces[parameter: "filename"] == "my file.pdf")

        let encodedWord = MIMEParameterizedValue(parsing: "application/pdf; name=\"=?UTF-8?B?w5xiZXJzaWNodC5wZGY=?=\"")
        #expect(encodedWord[parameter: "name"] == "Übersicht.pdf")
        #expect(MIMEParameterizedValue(parsing: "garbage").mediaType == nil)
    }

    @Test func charsets() throws {
        #expect(try MIMECharset.decode([0x66, 0xFC, 0x72], charset: "ISO-8859-1") == "für")
        #expect(try MIMECharset.decode([0x80, 0x20, 0x93, 0x78, 0x94], charset: "windows-1252") == "€ “x”")
        #expect(try MIMECharset.decode([0x81], charset: "windows-1252") == "\u{FFFD}")
        #expect(try MIMECharset.decode(Array("für".utf8), charset: "us-ascii") == "für")
        #expect(try MIMECharset.decode([0x66, 0xFC, 0x72], charset: "utf-8") == "für")
        #expect(try MIMECharset.decode(Array("plain".utf8), charset: "shift_jis") == "plain")
        #expect(throws: MIMECharset.UnsupportedCharset(name: "shift_jis")) { try MIMECharset.decode([0x82, 0xA0], charset: "Shift_JIS") }
        #expect("\(MIMECharset.UnsupportedCharset(name: "big5"))".contains("supported: UTF-8, US-ASCII, ISO-8859-1, Windows-1252"))
    }

    @Test func htmlToText() {
        let html = """
            <!DOCTYPE html><html><head><title>Ignored</title><style>p { color: red }</style>
            <script>alert("<p>no</p>")</script></head>
            <body><div>First&nbsp;line   with
            spaces</div><div>Second line</div>
            <p>Paragraph &amp; more &lt;tags&gt; &euro;5 &#8364; &#x20AC; &copy; &bogus; &amp</p>
            <p>a<br>b<br><br>c</p><ul><li>one</li><li>two</li></ul>
            <table><tr><td>Name</td><td>Value</td></tr></table><!-- a comment <p>x</p> -->
            <pre>  keep
              this</pre>x < y &amp;&amp; <SCRIPT type="text/javascript">hidden()</SCRIPT >after
            </body></html>
            """
        #expect(HTMLText.plainText(from: html) == """
            First line with spaces
            Second line

            Paragraph & more <tags> €5 € € © &bogus; &amp

            a
            b

            c

            • one
            • two

            Name Value

              keep
              this

            x < y && after
            """)
        #expect(HTMLText.plainText(from: "") == "")
        #expect(HTMLText.plainText(from: "<p><br></p>  <div> </div>") == "")
        #expect(HTMLText.plainText(from: "unterminated <b") == "unterminated")
        #expect(HTMLText.plainText(from: "<script>never closed") == "")
    }

    @Test func latin1EntitiesLineUpWithTheirCodePoints() {
        #expect(HTMLText.plainText(from: "x&nbsp;&iexcl;&yuml;&auml;&Ouml;&szlig;&times;") == "x ¡ÿäÖß×")
    }

    @Test(arguments: [
        ("", true), ("  \r\n\t\n", true), ("-- \nAlice\nPhone 123", true), ("\n\n--\nBob", true),
        ("Hi\n-- \nAlice", false), ("--not a separator\n", false), ("text", false),
    ])
    func signatureOnlyBodies(text: String, isBlank: Bool) {
        #expect(MailBodyText.isBlankOrSignatureOnly(text) == isBlank)
    }

    @Test(arguments: [
        ("Rechnung März.pdf", "Rechnung März.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\doc.pdf", "doc.pdf"),
        ("..", nil),
        ("  .hidden  ", "hidden"),
        ("in\u{0}voice\r\n.pdf", "invoice.pdf"),
        ("invoice\u{202E}fdp.exe", "invoicefdp.exe"),
        ("a:b*c?d\"e<f>g|h.pdf", "a_b_c_d_e_f_g_h.pdf"),
        ("many    spaces.pdf", "many spaces.pdf"),
        ("/", nil),
    ] as [(String, String?)])
    func fileNames(name: String, sanitized: String?) {
        #expect(MIMEFileName.sanitized(name) == sanitized)
    }

    @Test func longFileNamesKeepTheirExtension() throws {
        let name = try #require(MIMEFileName.sanitized(String(repeating: "ä", count: 200) + ".pdf"))
        #expect(name.utf8.count <= MIMEFileName.maximumLength)
        #expect(name.hasSuffix("ä.pdf"))
        #expect(MIMEFileName.fallback(partNumber: 3, mediaType: "application/pdf") == "attachment-3.pdf")
        #expect(MIMEFileName.fallback(partNumber: 4, mediaType: "application/x-unknown") == "attachment-4")
    }

    @Test func headerDisplayText() {
        let header = MIMEHeader(fields: [
            MIMEHeaderField(name: "Subject", value: "=?utf-8?Q?Line?=\r\n\t=?utf-8?Q?_two?=  and\u{0}more"),
            MIMEHeaderField(name: "subject", value: "second"),
        ])
        #expect(header.subject == "Line two and more")
        #expect(header.values("SUBJECT").count == 2)
        #expect(header.from == nil)
    }
}
