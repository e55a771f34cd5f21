import ArgumentParser
import FaxCore
import Store

/// `--retention-days N` and `--zero-retention/--normal-retention`, shared by `devices add/change`
/// and `groups retention`.
struct RetentionOptions: ParsableArguments {
    enum Mode: EnumerableFlag {
        case zeroRetention, normalRetention

        static func help(for value: Mode) -> ArgumentHelp? {
            switch value {
            case .zeroRetention: "Delete fax images as soon as every delivery succeeded (records stay 7 days or more)."
            case .normalRetention: "Keep fax images for the retention period again."
            }
        }
    }

    @Option(name: .customLong("retention-days"),
            help: ArgumentHelp("Keep faxes this many days (\(RetentionPolicy.minimumDays) or more; 0: back to the default).",
                               valueName: "days"))
    var retentionDays: Int?
    @Flag var retentionMode: Mode?

    func validate() throws {
        if let retentionDays, retentionDays != 0 {
            _ = try reportingInvalidValues { try RetentionOverride(days: retentionDays) }
        }
    }

    var change: RetentionChange {
        RetentionChange(
            days: retentionDays.map { $0 == 0 ? .clear : .set($0) },
            zeroRetention: retentionMode.map { $0 == .zeroRetention })
    }
}
