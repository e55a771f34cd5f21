import Foundation
import Mail

/// Messages the way real mail clients write them, for the MIME reader's tests.
enum MIMETestMessages {
    /// Bytes that look like a small PDF, with every byte value in them.
    static let pdfBytes: [UInt8] = Array("%PDF-1.4\n%\u{E2}\u{E3}\n1 0 obj\n".utf8) + (0...255).map { UInt8($0) } + Array("\n%%EOF\n".utf8)
    static let pngBytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<300).map { UInt8(truncatingIfNeeded: $0 * 7) }

    /// Base64 as clients write it: 76-character lines, CRLF (Foundation's encoder, not ours).
    static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
    }

    /// Thunderbird: mixed { alternative { flowed text, html }, pdf with an RFC 2231 name }.
    static let thunderbird = """
        Message-ID: <1b2c3d@example.com>\r
        Date: Mon, 2 Mar 2026 10:15:00 +0100\r
        MIME-Version: 1.0\r
        User-Agent: Mozilla Thunderbird\r
        From: =?UTF-8?Q?J=c3=b6rg_M=c3=bcller?= <joerg@example.com>\r
        To: 5550100@fax.example.com\r
        Subject: =?UTF-8?Q?Rechnung_M=c3=a4rz_=e2=80=93_bitte?=\r
         =?UTF-8?Q?_pr=c3=bcfen?=\r
        X-Fax-Priority: high\r
        Content-Type: multipart/mixed;\r
         boundary="------------9kQ2hD0bT3mX1aWq5lZ"\r
        \r
        This is a multi-part message in MIME format.\r
        --------------9kQ2hD0bT3mX1aWq5lZ\r
        Content-Type: multipart/alternative;\r
         boundary="------------uY7cS2nF4vJ8pB6rE0t"\r
        \r
        \r
        --------------uY7cS2nF4vJ8pB6rE0t\r
        Content-Type: text/plain; charset=UTF-8; format=flowed\r
        Content-Transfer-Encoding: 8bit\r
        \r
        Hallo,\r
        \r
        anbei die Rechnung f\u{FC}r M\u{E4}rz. Bitte die Summe \r
        pr\u{FC}fen.\r
        \r
        --\u{20}\r
        J\u{F6}rg\r
        \r
        --------------uY7cS2nF4vJ8pB6rE0t\r
        Content-Type: text/html; charset=UTF-8\r
        Content-Transfer-Encoding: 8bit\r
        \r
        <!DOCTYPE html>\r
        <html><head><meta http-equiv="content-type" content="text/html; charset=UTF-8"><style>p{margin:0}</style></head>\r
        <body><p>Hallo,</p><p>anbei die Rechnung f\u{FC}r M\u{E4}rz. Bitte die Summe pr\u{FC}fen.</p></body></html>\r
        \r
        --------------uY7cS2nF4vJ8pB6rE0t--\r
        --------------9kQ2hD0bT3mX1aWq5lZ\r
        Content-Type: application/pdf;\r
         name*=UTF-8''Rechnung%20M%C3%A4rz.pdf\r
        Content-Disposition: attachment;\r
         filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf\r
        Content-Transfer-Encoding: base64\r
        \r
        \(base64(pdfBytes))\r
        \r
        --------------9kQ2hD0bT3mX1aWq5lZ--\r

        """

    /// Outlook: mixed { related { alternative { QP text, QP html }, logo }, pdf with an
    /// encoded-word name in Latin-1 }.
    static let outlook = """
        From: =?iso-8859-1?Q?Fr=E4nzi_Ober?= <franzi@example.com>\r
        To: "[FAX:+49 (30) 1234-567]" <"[FAX:+49 (30) 1234-567]"@pbx.example.com>\r
        Subject: Angebot\r
        Thread-Topic: Angebot\r
        Content-Language: de-DE\r
        Content-Type: multipart/mixed;\r
        \tboundary="_004_DB9PR04MB8123ABCDEF_"\r
        MIME-Version: 1.0\r
        \r
        --_004_DB9PR04MB8123ABCDEF_\r
        Content-Type: multipart/related;\r
        \tboundary="_003_DB9PR04MB8123ABCDEF_";\r
        \ttype="multipart/alternative"\r
        \r
        --_003_DB9PR04MB8123ABCDEF_\r
        Content-Type: multipart/alternative;\r
        \tboundary="_000_DB9PR04MB8123ABCDEF_"\r
        \r
        --_000_DB9PR04MB8123ABCDEF_\r
        Content-Type: text/plain; charset="iso-8859-1"\r
        Content-Transfer-Encoding: quoted-printable\r
        \r
        Sehr geehrte Damen und Herren,\r
        \r
        anbei unser Angebot f=FCr die Wartung. Dies ist eine sehr lange Zeile, die=\r
         Outlook umbricht.\r
        \r
        Mit freundlichen Gr=FC=DFen\r
        Fr=E4nzi Ober\r
        \r
        --_000_DB9PR04MB8123ABCDEF_\r
        Content-Type: text/html; charset="iso-8859-1"\r
        Content-Transfer-Encoding: quoted-printable\r
        \r
        <html><head><style><!--p.MsoNormal{margin:0cm}--></style></head><body lang=3D"DE">=\r
        <div class=3D"WordSection1"><p class=3D"MsoNormal">Sehr geehrte Damen und Herren,</p>=\r
        <p class=3D"MsoNormal">&nbsp;</p><p class=3D"MsoNormal">anbei unser Angebot f=FCr die Wartung.=\r
        </p><p class=3D"MsoNormal"><img src=3D"cid:image001.png@01DA1234.56789AB0"></p></div></body></html>\r
        \r
        --_000_DB9PR04MB8123ABCDEF_--\r
        \r
        --_003_DB9PR04MB8123ABCDEF_\r
        Content-Type: image/png; name="image001.png"\r
        Content-Description: image001.png\r
        Content-Disposition: inline; filename="image001.png"; size=308;\r
        \tcreation-date="Mon, 02 Mar 2026 09:10:11 GMT"\r
        Content-ID: <image001.png@01DA1234.56789AB0>\r
        Content-Transfer-Encoding: base64\r
        \r
        \(base64(pngBytes))\r
        \r
        --_003_DB9PR04MB8123ABCDEF_--\r
        \r
        --_004_DB9PR04MB8123ABCDEF_\r
        Content-Type: application/pdf; name="=?iso-8859-1?Q?Angebot_f=FCr_Kunde.pdf?="\r
        Content-Description: =?iso-8859-1?Q?Angebot_f=FCr_Kunde.pdf?=\r
        Content-Disposition: attachment;\r
        \tfilename="=?iso-8859-1?Q?Angebot_f=FCr_Kunde.pdf?="; size=285\r
        Content-Transfer-Encoding: base64\r
        \r
        \(base64(pdfBytes))\r
        \r
        --_004_DB9PR04MB8123ABCDEF_--\r

        """

    /// Apple Mail: alternative { text, mixed { html, inline pdf, html } }, a From name split
    /// across encoded-words in the middle of a character, RFC 2231 continuations.
    static let appleMail = """
        Content-Type: multipart/alternative;\r
        \tboundary="Apple-Mail=_5F1A9E2C-3B4D-4E6F-8A9B-0C1D2E3F4A5B"\r
        Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3774.600.62\\))\r
        Subject: Vertrag\r
        From: =?utf-8?B?Q2zDqW1l?= =?utf-8?B?bmNl?=\r
         =?utf-8?B?IETD?= =?utf-8?B?vHJhbmQ=?= <c@example.com>\r
        To: fax <ignored@5550100.fax>\r
        \r
        \r
        --Apple-Mail=_5F1A9E2C-3B4D-4E6F-8A9B-0C1D2E3F4A5B\r
        Content-Transfer-Encoding: quoted-printable\r
        Content-Type: text/plain;\r
        \tcharset=utf-8\r
        \r
        Hier der Vertrag.\r
        \r
        Gr=C3=BC=C3=9Fe\r
        \r
        --Apple-Mail=_5F1A9E2C-3B4D-4E6F-8A9B-0C1D2E3F4A5B\r
        Content-Type: multipart/mixed;\r
        \tboundary="Apple-Mail=_0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9"\r
        \r
        \r
        --Apple-Mail=_0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9\r
        Content-Transfer-Encoding: 7bit\r
        Content-Type: text/html;\r
        \tcharset=us-ascii\r
        \r
        <html><head><meta http-equiv="Content-Type" content="text/html; charset=us-ascii"></head><body style="word-wrap: break-word;">Hier der Vertrag.<br><br></body></html>\r
        --Apple-Mail=_0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9\r
        Content-Disposition: inline;\r
        \tfilename*0*=utf-8''Vertrag%20Stra%C3%9Fe%20;\r
        \tfilename*1*=12.pdf\r
        Content-Type: application/pdf;\r
        \tx-unix-mode=0644;\r
        \tname="Vertrag =?utf-8?Q?Stra=C3=9Fe_12=2Epdf?="\r
        Content-Transfer-Encoding: base64\r
        \r
        \(base64(pdfBytes))\r
        --Apple-Mail=_0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9\r
        Content-Transfer-Encoding: 7bit\r
        Content-Type: text/html;\r
        \tcharset=us-ascii\r
        \r
        <html><head><meta http-equiv="Content-Type" content="text/html; charset=us-ascii"></head><body><br><div>Gr&uuml;&szlig;e</div></body></html>\r
        --Apple-Mail=_0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9--\r
        \r
        --Apple-Mail=_5F1A9E2C-3B4D-4E6F-8A9B-0C1D2E3F4A5B--\r

        """
}
