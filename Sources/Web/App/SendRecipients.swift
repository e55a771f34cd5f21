import FaxCore

/// Whom a fax from the Send form goes to: the typed numbers and the ticked contacts' numbers,
/// each number once (compared as dialed), and how the preview names them — a number that is in
/// the address book with its contact's name.
struct SendRecipients {
    /// In order: typed first, then ticked; as typed where typed (the submission checks them).
    private(set) var numbers: [String] = []
    /// `numbers` as the preview shows them.
    private(set) var shown: [String] = []
    /// The names of the contacts among the recipients, in order.
    private(set) var contactLabels: [String] = []

    init(typed: [String], picked: [Contact], book: [Contact]) {
        var seen = Set<String>()
        for number in typed {
            let dialed = (try? FaxNumber.normalized(number)) ?? number
            guard seen.insert(dialed).inserted else { continue }
            add(number, contact: (picked + book).first { $0.faxNumber == dialed })
        }
        for contact in picked where seen.insert(contact.faxNumber).inserted {
            add(contact.faxNumber, contact: contact)
        }
    }

    private mutating func add(_ number: String, contact: Contact?) {
        numbers.append(number)
        guard let contact else {
            shown.append(number)
            return
        }
        shown.append("\(contact.label) · \(contact.faxNumber)")
        contactLabels.append(contact.label)
    }
}
