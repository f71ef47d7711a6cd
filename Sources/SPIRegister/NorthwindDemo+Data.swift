extension NorthwindDemo {
    // MARK: Parties and people

    struct DemoParty {
        var code: String
        var name: String
        var kind: String
        var isInternal: Bool
        var notes: String
    }

    static let parties: [DemoParty] = [
        DemoParty(
            code: "NWR", name: "Northwind Retail", kind: "organization", isInternal: true,
            notes: "The customer: 180 stores and a web shop. Business representatives sit here."
        ),
        DemoParty(
            code: "SIAM", name: "Northwind SIAM Office", kind: "integrator", isInternal: true,
            notes: "Internal service integrator: owns the processes and integrates the providers."
        ),
        DemoParty(
            code: "FAB", name: "Fabrikam Service Desk", kind: "provider", isInternal: false,
            notes: "Service desk and request fulfilment, 24x7. Tool: Jira Service Management."
        ),
        DemoParty(
            code: "CON", name: "Contoso Cloud Hosting", kind: "provider", isInternal: false,
            notes: "Cloud hosting and platform operations. Tool: BMC Helix ITSM."
        ),
        DemoParty(
            code: "TAIL", name: "Tailspin Application Services", kind: "provider", isInternal: false,
            notes: "Application management for e-commerce and store systems. Tool: ServiceNow."
        ),
    ]

    struct DemoPerson {
        var key: String
        var party: String
        var name: String
        var email: String
        var role: String
        var isActive: Bool = true
    }

    static let people: [DemoPerson] = [
        DemoPerson(
            key: "okafor", party: "NWR", name: "Margaret Okafor", email: "margaret.okafor@northwind.example",
            role: "Head of E-commerce; service owner, e-commerce platform"
        ),
        DemoPerson(
            key: "reyes", party: "NWR", name: "Daniel Reyes", email: "daniel.reyes@northwind.example",
            role: "Director of Store Operations; service owner, store POS"
        ),
        DemoPerson(
            key: "natarajan", party: "NWR", name: "Priya Natarajan", email: "priya.natarajan@northwind.example",
            role: "Chief Information Security Officer; information security process owner"
        ),
        DemoPerson(
            key: "lindqvist", party: "SIAM", name: "Sofia Lindqvist", email: "sofia.lindqvist@northwind.example",
            role: "Head of Service Integration; chairs the SIAM governance board"
        ),
        DemoPerson(
            key: "becker", party: "SIAM", name: "Tom Becker", email: "tom.becker@northwind.example",
            role: "Incident and problem process owner"
        ),
        DemoPerson(
            key: "rahman", party: "SIAM", name: "Aisha Rahman", email: "aisha.rahman@northwind.example",
            role: "Change enablement process owner"
        ),
        DemoPerson(
            key: "watanabe", party: "SIAM", name: "Kenji Watanabe", email: "kenji.watanabe@northwind.example",
            role: "Service level and supplier manager; contract manager for all providers"
        ),
        DemoPerson(
            key: "moreau", party: "SIAM", name: "Lucas Moreau", email: "lucas.moreau@northwind.example",
            role: "Capacity process owner; acting configuration management lead"
        ),
        DemoPerson(
            key: "petrova", party: "SIAM", name: "Elena Petrova", email: "elena.petrova@northwind.example",
            role: "Service request process owner"
        ),
        DemoPerson(
            key: "holloway", party: "FAB", name: "Grace Holloway", email: "grace.holloway@fabrikam.example",
            role: "Service delivery manager"
        ),
        DemoPerson(
            key: "kapoor", party: "FAB", name: "Ravi Kapoor", email: "ravi.kapoor@fabrikam.example",
            role: "Service desk team lead; incident process coordinator"
        ),
        DemoPerson(
            key: "brandt", party: "FAB", name: "Jonas Brandt", email: "jonas.brandt@fabrikam.example",
            role: "Former service delivery manager", isActive: false
        ),
        DemoPerson(
            key: "larsen", party: "CON", name: "Henrik Larsen", email: "henrik.larsen@contoso.example",
            role: "Service manager"
        ),
        DemoPerson(
            key: "tanaka", party: "CON", name: "Mei Tanaka", email: "mei.tanaka@contoso.example",
            role: "Capacity and performance manager"
        ),
        DemoPerson(
            key: "mendes", party: "TAIL", name: "Carlos Mendes", email: "carlos.mendes@tailspin.example",
            role: "Service manager"
        ),
        DemoPerson(
            key: "farouk", party: "TAIL", name: "Nadia Farouk", email: "nadia.farouk@tailspin.example",
            role: "Change and release coordinator"
        ),
    ]

    /// Process owners of the practices that have SPIs. Configuration management (CFG) is left without an owner:
    /// a planted gap.
    static let practiceOwners: [(practice: String, person: String)] = [
        ("INC", "becker"), ("PRB", "becker"), ("CHG", "rahman"), ("SR", "petrova"), ("SLM", "watanabe"),
        ("SUP", "watanabe"), ("CAP", "moreau"), ("ISM", "natarajan"),
    ]

    // MARK: Services, agreements, targets

    struct DemoService {
        var code: String
        var name: String
        var type: String
        var status: String
        var owner: String
        var customer: String
        var provider: String
        var description: String
    }

    static let services: [DemoService] = [
        DemoService(
            code: "ECOM", name: "E-commerce platform", type: "business", status: "catalogue", owner: "okafor",
            customer: "NWR", provider: "SIAM",
            description: "Web shop and mobile app, from product search to payment and order tracking."
        ),
        DemoService(
            code: "POS", name: "Store point of sale", type: "business", status: "catalogue", owner: "reyes",
            customer: "NWR", provider: "SIAM",
            description: "Tills, payment terminals and store back office in 180 stores."
        ),
        DemoService(
            code: "SDESK", name: "IT service desk", type: "supporting", status: "catalogue", owner: "holloway",
            customer: "NWR", provider: "FAB",
            description: "Single point of contact for all Northwind staff, 24x7, in English and Spanish."
        ),
        DemoService(
            code: "HOST", name: "Cloud hosting", type: "technical", status: "catalogue", owner: "larsen",
            customer: "NWR", provider: "CON",
            description: "Compute, storage, databases and networking for the e-commerce and POS back ends."
        ),
        DemoService(
            code: "APPM", name: "Application management", type: "technical", status: "catalogue", owner: "mendes",
            customer: "NWR", provider: "TAIL",
            description: "Second- and third-line support and maintenance of the e-commerce and POS applications."
        ),
        DemoService(
            code: "LOYALTY", name: "Customer loyalty app", type: "business", status: "pipeline", owner: "okafor",
            customer: "NWR", provider: "SIAM",
            description: "Points and personalised offers; planned for next year."
        ),
        DemoService(
            code: "LEGACY-POS", name: "Legacy store tills", type: "business", status: "retired", owner: "reyes",
            customer: "NWR", provider: "SIAM",
            description: "The previous till system, replaced by the store point of sale service."
        ),
    ]

    struct DemoAgreement {
        var code: String
        var title: String
        var type: String
        var customer: String
        var provider: String
        /// Days from today.
        var start: Int
        /// Days from today.
        var end: Int
        var status: String
        var owner: String
        var notes: String
    }

    static let agreements: [DemoAgreement] = [
        DemoAgreement(
            code: "SLA-RETAIL", title: "Retail IT services SLA", type: "sla", customer: "NWR", provider: "SIAM",
            start: -400, end: 695, status: "active", owner: "watanabe",
            notes: "End-to-end service levels the SIAM office commits to the business."
        ),
        DemoAgreement(
            code: "UC-FAB", title: "Fabrikam service desk contract", type: "uc", customer: "NWR", provider: "FAB",
            start: -1050, end: 45, status: "active", owner: "watanabe",
            notes: "Three-year contract; renewal negotiation has not started."
        ),
        DemoAgreement(
            code: "UC-CON", title: "Contoso cloud hosting contract", type: "uc", customer: "NWR", provider: "CON",
            start: -300, end: 1160, status: "active", owner: "watanabe",
            notes: "Four-year contract with an annual price review."
        ),
        DemoAgreement(
            code: "UC-TAIL", title: "Tailspin application services contract", type: "uc", customer: "NWR",
            provider: "TAIL", start: -500, end: 595, status: "active", owner: "watanabe",
            notes: "Three-year contract, outcome-based fees for release quality."
        ),
        DemoAgreement(
            code: "CA-CON-TAIL", title: "Hosting and application collaboration agreement", type: "collaboration",
            customer: "CON", provider: "TAIL", start: -250, end: 480, status: "active", owner: "watanabe",
            notes: "How Contoso and Tailspin cooperate on joint incidents and releases, under the SIAM office's lead."
        ),
        DemoAgreement(
            code: "UC-CON-2019", title: "Contoso hosting contract (previous)", type: "uc", customer: "NWR",
            provider: "CON", start: -1800, end: -301, status: "expired", owner: "watanabe",
            notes: "Replaced by UC-CON."
        ),
    ]

    struct DemoTarget {
        var key: String
        var agreement: String
        var service: String
        var metric: String
        var priority: String?
        var target: Double
        var unit: String
        var period: String = "month"
        var supports: String? = nil
        var notes: String? = nil
    }

    static let targets: [DemoTarget] = [
        DemoTarget(
            key: "SLA-ECOM-AV", agreement: "SLA-RETAIL", service: "ECOM", metric: "availability", priority: nil,
            target: 99.9, unit: "percent", notes: "Measured end to end from synthetic checkout transactions."
        ),
        DemoTarget(
            key: "SLA-POS-AV", agreement: "SLA-RETAIL", service: "POS", metric: "availability", priority: nil,
            target: 99.5, unit: "percent", notes: "Store opening hours only."
        ),
        DemoTarget(
            key: "SLA-ECOM-RSP-P1", agreement: "SLA-RETAIL", service: "ECOM", metric: "time_to_respond",
            priority: "P1", target: 15, unit: "minutes"
        ),
        DemoTarget(
            key: "SLA-ECOM-RES-P1", agreement: "SLA-RETAIL", service: "ECOM", metric: "time_to_resolve",
            priority: "P1", target: 4, unit: "hours"
        ),
        DemoTarget(
            key: "SLA-ECOM-RES-P2", agreement: "SLA-RETAIL", service: "ECOM", metric: "time_to_resolve",
            priority: "P2", target: 8, unit: "hours"
        ),
        DemoTarget(
            key: "SLA-POS-RES-P1", agreement: "SLA-RETAIL", service: "POS", metric: "time_to_resolve",
            priority: "P1", target: 4, unit: "hours"
        ),
        DemoTarget(
            key: "SLA-SDESK-RSP-P2", agreement: "SLA-RETAIL", service: "SDESK", metric: "time_to_respond",
            priority: "P2", target: 30, unit: "minutes"
        ),
        DemoTarget(
            key: "SLA-REPORT", agreement: "SLA-RETAIL", service: "ECOM", metric: "report_delivery", priority: nil,
            target: 10, unit: "business_days", notes: "Monthly service level report to the business."
        ),
        DemoTarget(
            key: "UC-FAB-RSP-P1", agreement: "UC-FAB", service: "SDESK", metric: "time_to_respond", priority: "P1",
            target: 10, unit: "minutes", supports: "SLA-ECOM-RSP-P1"
        ),
        DemoTarget(
            key: "UC-FAB-RSP-P2", agreement: "UC-FAB", service: "SDESK", metric: "time_to_respond", priority: "P2",
            target: 20, unit: "minutes", supports: "SLA-SDESK-RSP-P2"
        ),
        DemoTarget(
            key: "UC-FAB-FCR", agreement: "UC-FAB", service: "SDESK", metric: "first_contact_resolution", priority: nil,
            target: 70, unit: "percent", notes: "Monthly, from the incident performance report."
        ),
        DemoTarget(
            key: "UC-FAB-REOPEN", agreement: "UC-FAB", service: "SDESK", metric: "reopen_rate", priority: nil,
            target: 5, unit: "percent", notes: "At most; monthly, from the incident performance report."
        ),
        DemoTarget(
            key: "UC-CON-ECOM-AV", agreement: "UC-CON", service: "HOST", metric: "availability", priority: nil,
            target: 99.95, unit: "percent", supports: "SLA-ECOM-AV", notes: "E-commerce production cluster."
        ),
        DemoTarget(
            key: "UC-CON-POS-AV", agreement: "UC-CON", service: "HOST", metric: "availability", priority: nil,
            target: 99.0, unit: "percent", supports: "SLA-POS-AV",
            notes: "POS back-office cluster; standard tier, never upgraded when the POS SLA was raised."
        ),
        DemoTarget(
            key: "UC-CON-RES-P1", agreement: "UC-CON", service: "HOST", metric: "time_to_resolve", priority: "P1",
            target: 2, unit: "hours", supports: "SLA-ECOM-RES-P1"
        ),
        DemoTarget(
            key: "UC-CON-REPORT", agreement: "UC-CON", service: "HOST", metric: "report_delivery", priority: nil,
            target: 5, unit: "business_days", supports: "SLA-REPORT"
        ),
        DemoTarget(
            key: "UC-TAIL-RSP-P1", agreement: "UC-TAIL", service: "APPM", metric: "time_to_respond", priority: "P1",
            target: 15, unit: "minutes"
        ),
        DemoTarget(
            key: "UC-TAIL-RES-P1", agreement: "UC-TAIL", service: "APPM", metric: "time_to_resolve", priority: "P1",
            target: 3, unit: "hours", supports: "SLA-ECOM-RES-P1"
        ),
        DemoTarget(
            key: "UC-TAIL-RES-P2", agreement: "UC-TAIL", service: "APPM", metric: "time_to_resolve", priority: "P2",
            target: 8, unit: "hours", supports: "SLA-ECOM-RES-P2"
        ),
        DemoTarget(
            key: "UC-TAIL-POS-RES-P1", agreement: "UC-TAIL", service: "APPM", metric: "time_to_resolve",
            priority: "P1", target: 3.5, unit: "hours", supports: "SLA-POS-RES-P1"
        ),
    ]
}
