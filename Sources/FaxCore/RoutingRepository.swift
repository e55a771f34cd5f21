public protocol RoutingRepository: Sendable {
    /// Rules by position, the default route and the enable flags, read together.
    func routingTable() async throws -> RoutingTable
    /// Inserts the rule at `rule.position` (rules from there move down; a position past the
    /// end appends) and returns it with its id and final position.
    func addRule(_ rule: RoutingRule) async throws -> RoutingRule
    func removeRule(id: Int64) async throws
    func moveRule(id: Int64, to position: Int) async throws
    func setRuleEnabled(_ enabled: Bool, id: Int64) async throws
    /// `nil` refuses faxes nobody claims.
    func setDefaultExtension(_ number: String?) async throws
    func setFaxingEnabled(_ enabled: Bool) async throws
    func setGroupEnabled(_ enabled: Bool, group: String) async throws
}
