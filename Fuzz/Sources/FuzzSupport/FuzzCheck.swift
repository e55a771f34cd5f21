/// An invariant of the code under test: when it does not hold, the fuzzer has found a bug.
///
/// Traps, so that libFuzzer saves the input as a crash like any other (a `precondition` would
/// be compiled out of `-Ounchecked` builds; this never is).
public func fuzzCheck(
    _ condition: @autoclosure () -> Bool,
    _ message: @autoclosure () -> String,
    file: StaticString = #fileID,
    line: UInt = #line
) {
    if !condition() {
        fatalError("invariant failed: \(message())", file: file, line: line)
    }
}
