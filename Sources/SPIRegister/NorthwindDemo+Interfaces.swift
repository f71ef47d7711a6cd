extension NorthwindDemo {
    // MARK: SPIs

    struct DemoInterface {
        var practice: String
        var provider: String
        var title: String
        var stage: String
        var owner: String
        var status: String
        var version: String
        /// Days from today; nil when not approved.
        var approvedOn: Int?
        var approvedBy: String?
        var reviewIntervalMonths: Int
        var agreement: String
        var services: [String]
        var description: String

        var code: String { "SPI-\(practice)-\(provider)" }
    }

    static let interfaces: [DemoInterface] = [
        DemoInterface(
            practice: "INC", provider: "FAB", title: "Incident management: Fabrikam Service Desk", stage: "operation",
            owner: "becker", status: "approved", version: "2.1", approvedOn: -120, approvedBy: "lindqvist",
            reviewIntervalMonths: 12, agreement: "UC-FAB", services: ["SDESK", "ECOM", "POS"],
            description: "How incidents logged at Fabrikam's service desk reach the resolver groups of the other "
                + "providers through the SIAM office, and how resolutions flow back."
        ),
        DemoInterface(
            practice: "INC", provider: "CON", title: "Incident management: Contoso Cloud Hosting", stage: "operation",
            owner: "becker", status: "approved", version: "1.4", approvedOn: -90, approvedBy: "lindqvist",
            reviewIntervalMonths: 12, agreement: "UC-CON", services: ["HOST", "ECOM", "POS"],
            description: "Incident exchange with Contoso, including monitoring alerts that open incidents."
        ),
        DemoInterface(
            practice: "INC", provider: "TAIL", title: "Incident management: Tailspin Application Services",
            stage: "operation", owner: "becker", status: "approved", version: "1.2", approvedOn: -60,
            approvedBy: "lindqvist", reviewIntervalMonths: 12, agreement: "UC-TAIL",
            services: ["APPM", "ECOM", "POS"],
            description: "Incident exchange with Tailspin and its part in major incidents."
        ),
        DemoInterface(
            practice: "PRB", provider: "CON", title: "Problem management: Contoso Cloud Hosting", stage: "operation",
            owner: "becker", status: "approved", version: "1.0", approvedOn: -150, approvedBy: "lindqvist",
            reviewIntervalMonths: 12, agreement: "UC-CON", services: ["HOST"],
            description: "Root cause analysis and known errors for hosting components."
        ),
        DemoInterface(
            practice: "PRB", provider: "TAIL", title: "Problem management: Tailspin Application Services",
            stage: "operation", owner: "becker", status: "approved", version: "1.1", approvedOn: -45,
            approvedBy: "lindqvist", reviewIntervalMonths: 12, agreement: "UC-TAIL", services: ["APPM", "ECOM"],
            description: "Problems in the e-commerce and POS applications, from identification to permanent fix."
        ),
        DemoInterface(
            practice: "CHG", provider: "CON", title: "Change enablement: Contoso Cloud Hosting", stage: "transition",
            owner: "rahman", status: "approved", version: "1.3", approvedOn: -75, approvedBy: "lindqvist",
            reviewIntervalMonths: 6, agreement: "UC-CON", services: ["HOST"],
            description: "Changes to shared hosting components, assessed and authorized by the SIAM office's CAB."
        ),
        DemoInterface(
            practice: "CHG", provider: "TAIL", title: "Change enablement: Tailspin Application Services",
            stage: "transition", owner: "rahman", status: "in_review", version: "0.9", approvedOn: nil,
            approvedBy: nil, reviewIntervalMonths: 6, agreement: "UC-TAIL", services: ["APPM", "ECOM"],
            description: "Application releases and emergency fixes; under review after the last board asked for "
                + "changes."
        ),
        DemoInterface(
            practice: "SR", provider: "FAB", title: "Service request management: Fabrikam Service Desk",
            stage: "operation", owner: "petrova", status: "approved", version: "1.0", approvedOn: -200,
            approvedBy: "lindqvist", reviewIntervalMonths: 12, agreement: "UC-FAB", services: ["SDESK"],
            description: "Standard requests from Northwind staff, fulfilled by Fabrikam or handed to other providers."
        ),
        DemoInterface(
            practice: "SLM", provider: "CON", title: "Service level management: Contoso Cloud Hosting",
            stage: "design", owner: "watanabe", status: "approved", version: "1.2", approvedOn: -30,
            approvedBy: "lindqvist", reviewIntervalMonths: 12, agreement: "UC-CON", services: ["HOST"],
            description: "Agreeing, monitoring and reviewing Contoso's targets against the retail SLA."
        ),
        DemoInterface(
            practice: "CAP", provider: "CON", title: "Capacity and performance management: Contoso Cloud Hosting",
            stage: "design", owner: "moreau", status: "approved", version: "1.0", approvedOn: -100,
            approvedBy: "lindqvist", reviewIntervalMonths: 12, agreement: "UC-CON", services: ["HOST"],
            description: "Demand forecasts for peak season and the capacity plan for the hosting platform."
        ),
        DemoInterface(
            practice: "CFG", provider: "TAIL", title: "Service configuration management: Tailspin Application Services",
            stage: "transition", owner: "moreau", status: "draft", version: "0.3", approvedOn: nil, approvedBy: nil,
            reviewIntervalMonths: 12, agreement: "UC-TAIL", services: ["APPM"],
            description: "Keeping the SIAM office's CMDB in step with Tailspin's application CIs. Draft."
        ),
        DemoInterface(
            practice: "ISM", provider: "FAB", title: "Information security management: Fabrikam Service Desk",
            stage: "design", owner: "natarajan", status: "approved", version: "1.0", approvedOn: -385,
            approvedBy: "okafor", reviewIntervalMonths: 12, agreement: "UC-FAB", services: ["SDESK"],
            description: "Security incident notification, privileged access and compliance evidence for the "
                + "service desk, which handles staff identities."
        ),
    ]

    // MARK: RACI

    /// Role titles per practice, for the organization, the integrator and the provider.
    static let roleTitles: [String: (organization: String, integrator: String, provider: String)] = [
        "INC": ("Business representative", "Incident manager (integrator)", "Provider incident coordinator"),
        "PRB": ("Business representative", "Problem manager (integrator)", "Provider problem coordinator"),
        "CHG": ("Business change approver", "Change manager (integrator)", "Provider change coordinator"),
        "SR": ("Requester's line manager", "Request manager (integrator)", "Provider fulfilment team"),
        "SLM": ("Business relationship manager", "Service level manager (integrator)", "Provider service manager"),
        "CAP": ("Business demand planner", "Capacity manager (integrator)", "Provider capacity manager"),
        "CFG": ("Asset owner", "Configuration manager (integrator)", "Provider configuration coordinator"),
        "ISM": ("Chief Information Security Officer", "Security coordinator (integrator)", "Provider security officer"),
    ]

    /// The RACI letters per activity for (organization, integrator, provider); a party may hold several letters.
    static let raciPatterns:
        [String: [(activity: String, organization: String, integrator: String, provider: String)]] = [
            "INC": [
                ("INC-LOG", "C", "A", "R"), ("INC-PRI", "C", "A", "R"), ("INC-DIAG", "", "A", "R"),
                ("INC-ESC", "I", "A", "R"), ("INC-RES", "I", "A", "R"), ("INC-CLS", "C", "A", "R"),
                ("INC-MAJ", "I", "AR", "R"),
            ],
            "PRB": [
                ("PRB-ID", "", "A", "R"), ("PRB-RCA", "I", "A", "R"), ("PRB-KE", "", "A", "R"),
                ("PRB-FIX", "C", "A", "R"), ("PRB-REV", "I", "AR", "C"),
            ],
            "CHG": [
                ("CHG-RFC", "C", "A", "R"), ("CHG-ASSESS", "C", "A", "R"), ("CHG-CAB", "C", "AR", "C"),
                ("CHG-IMPL", "I", "A", "R"), ("CHG-PIR", "I", "AR", "C"),
            ],
            "SR": [
                ("SR-LOG", "I", "A", "R"), ("SR-APPR", "AR", "I", "I"), ("SR-FUL", "I", "A", "R"),
                ("SR-CLS", "C", "A", "R"),
            ],
            "SLM": [
                ("SLM-AGREE", "C", "A", "R"), ("SLM-MON", "", "A", "R"), ("SLM-REP", "I", "A", "R"),
                ("SLM-REV", "C", "AR", "R"),
            ],
            "CAP": [
                ("CAP-FCST", "C", "A", "R"), ("CAP-MON", "", "A", "R"), ("CAP-PLAN", "I", "A", "R"),
                ("CAP-TUNE", "", "A", "R"),
            ],
            "CFG": [
                ("CFG-ID", "", "A", "R"), ("CFG-CTRL", "", "A", "R"), ("CFG-ACC", "I", "A", "R"),
                ("CFG-VER", "", "AR", "C"),
            ],
            "ISM": [
                ("ISM-POL", "A", "R", "C"), ("ISM-RISK", "A", "R", "C"), ("ISM-INC", "A", "R", "R"),
                ("ISM-AUD", "A", "R", "C"),
            ],
        ]

    /// Planted RACI gaps: (SPI code, activity, party, letter, added or removed).
    static let raciAdjustments: [(interface: String, activity: String, party: String, letter: String, add: Bool)] = [
        // Tailspin also claims accountability for authorizing its changes: two Accountables.
        ("SPI-CHG-TAIL", "CHG-CAB", "TAIL", "A", true),
        // Nobody records Contoso's known errors: no Responsible.
        ("SPI-PRB-CON", "PRB-KE", "CON", "R", false),
    ]

    // MARK: Integration points

    struct DemoIntegrationPoint {
        var interface: String
        var name: String
        var from: (party: String, practice: String)
        var to: (party: String, practice: String)
        var trigger: String
        var channel: String
        var standard: String
        var timing: String
        var correlationKey: String
        /// (name, description, mandatory)
        var dataItems: [(String, String, Bool)]
    }

    static let integrationPoints: [DemoIntegrationPoint] = [
        DemoIntegrationPoint(
            interface: "SPI-INC-FAB", name: "Incident assignment to the integrator", from: ("FAB", "INC"),
            to: ("SIAM", "INC"), trigger: "An incident logged at the service desk needs a resolver outside Fabrikam",
            channel: "e_bonding", standard: "TMF621 Trouble Ticket (Jira Service Management to SIAM broker)",
            timing: "Within 10 minutes of triage", correlationKey: "Jira issue key <-> SIAM ticket id",
            dataItems: [
                ("Ticket id", "Jira issue key", true), ("Short description", "One-line summary", true),
                ("Priority", "P1-P4 per the retail SLA matrix", true), ("Affected service", "Service code", true),
                ("Caller", "Employee id and contact", true), ("Attachments", "Screenshots, logs", false),
            ]
        ),
        DemoIntegrationPoint(
            interface: "SPI-INC-FAB", name: "Resolution and closure feedback", from: ("SIAM", "INC"),
            to: ("FAB", "INC"), trigger: "A resolver group resolves or closes the incident", channel: "api",
            standard: "REST API webhook (JSON)", timing: "Real time", correlationKey: "SIAM ticket id",
            dataItems: [
                ("Ticket id", "SIAM ticket id", true), ("Resolution code", "From the shared code list", true),
                ("Resolution notes", "What was done", true), ("Resolved at", "UTC timestamp", true),
            ]
        ),
        DemoIntegrationPoint(
            interface: "SPI-INC-FAB", name: "Hosting incident hand-off", from: ("FAB", "INC"), to: ("CON", "INC"),
            trigger: "A hosting platform outage is reported at the service desk", channel: "e_bonding",
            standard: "TMF621 Trouble Ticket (Jira Service Management to ServiceNow)", timing: "Within 5 minutes",
            correlationKey: "Jira issue key <-> Contoso incident number",
            dataItems: [("Ticket id", "Jira issue key", true), ("Affected host", "Host or cluster name", true)]
        ),
        DemoIntegrationPoint(
            interface: "SPI-INC-CON", name: "Incident exchange with hosting", from: ("SIAM", "INC"),
            to: ("CON", "INC"), trigger: "An incident is assigned to a Contoso resolver group", channel: "e_bonding",
            standard: "TMF621 Trouble Ticket (BMC Helix Integration Service)", timing: "Within 5 minutes",
            correlationKey: "SIAM ticket id <-> Helix incident number",
            dataItems: [
                ("Ticket id", "SIAM ticket id", true), ("Priority", "P1-P4", true),
                ("Configuration item", "Affected hosting CI", true), ("Work notes", "Both directions", false),
            ]
        ),
        DemoIntegrationPoint(
            interface: "SPI-INC-CON", name: "Monitoring alert to incident", from: ("CON", "MEM"), to: ("SIAM", "INC"),
            trigger: "A critical event on a hosting component", channel: "api",
            standard: "REST API (BMC Helix Operations Management event forwarding)", timing: "Real time",
            correlationKey: "Helix event id",
            dataItems: [
                ("Event id", "Helix event id", true), ("Configuration item", "CI name", true),
                ("Severity", "Critical or major", true), ("Message", "Event text", false),
            ]
        ),
        DemoIntegrationPoint(
            interface: "SPI-INC-TAIL", name: "Incident exchange with application support", from: ("SIAM", "INC"),
            to: ("TAIL", "INC"), trigger: "An incident is assigned to a Tailspin resolver group",
            channel: "e_bonding", standard: "ServiceNow IntegrationHub e-bonding (TMF621 Trouble Ticket)",
            timing: "Within 5 minutes", correlationKey: "SIAM ticket id <-> ServiceNow INC number",
            dataItems: [
                ("Ticket id", "SIAM ticket id", true), ("Priority", "P1-P4", true),
                ("Application", "Application CI", true), ("Work notes", "Both directions", false),
            ]
        ),
        DemoIntegrationPoint(
            interface: "SPI-INC-TAIL", name: "Major incident bridge", from: ("TAIL", "INC"), to: ("SIAM", "INC"),
            trigger: "Tailspin declares, or is called into, a major incident", channel: "phone",
            standard: "Standing conference bridge; status mirrored in ServiceNow", timing: "Within 15 minutes",
            correlationKey: "Major incident number",
            dataItems: [
                ("Major incident number", "SIAM major incident id", true),
                ("Status summary", "Impact and actions", true),
                ("Next update", "Time of next update", true),
            ]
        ),
        DemoIntegrationPoint(
            interface: "SPI-PRB-CON", name: "Known error publication", from: ("CON", "PRB"), to: ("SIAM", "PRB"),
            trigger: "A root cause is found or a workaround is available", channel: "portal",
            standard: "BMC Helix Knowledge Management (known error articles)", timing: "Within 2 business days",
            correlationKey: "Known error id",
            dataItems: [
                ("Known error id", "Helix article id", true), ("Symptoms", "How to recognise it", true),
                ("Workaround", "Steps for the service desk", true), ("Related incidents", "Ticket ids", false),
            ]
        ),
        DemoIntegrationPoint(
            interface: "SPI-PRB-TAIL", name: "Problem record exchange", from: ("SIAM", "PRB"), to: ("TAIL", "PRB"),
            trigger: "A problem is raised against an application CI", channel: "e_bonding",
            standard: "ServiceNow e-bonding (problem table)", timing: "Within 1 business day",
            correlationKey: "SIAM problem id <-> ServiceNow PRB number",
            dataItems: [
                ("Problem id", "SIAM problem id", true), ("Description", "Symptoms and scope", true),
                ("Linked incidents", "Ticket ids", false),
            ]
        ),
        DemoIntegrationPoint(
            interface: "SPI-PRB-TAIL", name: "Root cause report", from: ("TAIL", "PRB"), to: ("SIAM", "PRB"),
            trigger: "Root cause analysis completed", channel: "email", standard: "RCA template v2 (PDF)",
            timing: "Within 10 business days of major incident closure", correlationKey: "SIAM problem id",
            dataItems: [
                ("Problem id", "SIAM problem id", true), ("Root cause", "Five whys outcome", true),
                ("Corrective actions", "With owners and dates", true),
            ]
        ),
        DemoIntegrationPoint(
            interface: "SPI-CHG-CON", name: "Request for change submission", from: ("CON", "CHG"),
            to: ("SIAM", "CHG"), trigger: "Contoso plans a change to a shared hosting component", channel: "api",
            standard: "TMF655 Change Management API", timing: "At least 5 business days before the CAB",
            correlationKey: "Helix change id",
            dataItems: [
                ("Change id", "Helix change id", true), ("Description", "What and why", true),
                ("Risk", "Low, medium or high", true), ("Planned window", "Start and end, UTC", true),
                ("Affected CIs", "CI names", true), ("Backout plan", "How to undo", true),
            ]
        ),
        DemoIntegrationPoint(
            interface: "SPI-CHG-CON", name: "CAB decision", from: ("SIAM", "CHG"), to: ("CON", "CHG"),
            trigger: "The CAB authorizes or rejects a change", channel: "email",
            standard: "CAB minutes (PDF); status update through TMF655", timing: "Within 1 business day of the CAB",
            correlationKey: "Helix change id",
            dataItems: [
                ("Decision", "Authorized or rejected", true), ("Conditions", "Constraints on the change", false),
            ]
        ),
        DemoIntegrationPoint(
            interface: "SPI-CHG-TAIL", name: "Change e-bonding", from: ("TAIL", "CHG"), to: ("SIAM", "CHG"),
            trigger: "Tailspin raises a change for an application release", channel: "e_bonding",
            standard: "ServiceNow change e-bonding (TMF655 Change Management)",
            timing: "At least 5 business days "
                + "before the CAB; emergency changes at once", correlationKey: "ServiceNow CHG number",
            dataItems: [
                ("Change id", "ServiceNow CHG number", true), ("Release notes", "Scope of the release", true),
                ("Risk", "Low, medium or high", true), ("Test evidence", "Links to test results", false),
            ]
        ),
        DemoIntegrationPoint(
            interface: "SPI-CHG-TAIL", name: "Forward schedule of change feed", from: ("SIAM", "CHG"),
            to: ("TAIL", "CHG"), trigger: "The schedule of change is published", channel: "file",
            standard: "iCalendar feed (RFC 5545)", timing: "Weekly, Thursday", correlationKey: "Change id",
            dataItems: [("Change window", "Start and end", true), ("Freeze periods", "Peak trading freezes", true)]
        ),
        DemoIntegrationPoint(
            interface: "SPI-SR-FAB", name: "Request submission", from: ("NWR", "SR"), to: ("FAB", "SR"),
            trigger: "An employee requests a standard service", channel: "portal",
            standard: "Jira Service Management customer portal", timing: "On submission",
            correlationKey: "Jira request key",
            dataItems: [
                ("Requester", "Employee id", true), ("Catalogue item", "Service catalogue entry", true),
                ("Approver", "Line manager", false),
            ]
        ),
        DemoIntegrationPoint(
            interface: "SPI-SR-FAB", name: "Fulfilment task hand-off", from: ("FAB", "SR"), to: ("SIAM", "SR"),
            trigger: "An approved request needs fulfilment by another provider", channel: "api",
            standard: "Jira Service Management REST API", timing: "Within 30 minutes of approval",
            correlationKey: "Jira request key <-> SIAM task id",
            dataItems: [("Request key", "Jira request key", true), ("Task", "What to fulfil", true)]
        ),
        DemoIntegrationPoint(
            interface: "SPI-SR-FAB", name: "Hosting access request", from: ("FAB", "SR"), to: ("CON", "SR"),
            trigger: "An approved request needs an account on the hosting platform", channel: "api",
            standard: "Jira Service Management REST API", timing: "Within 1 business day of approval",
            correlationKey: "Jira request key",
            dataItems: [("Request key", "Jira request key", true), ("Account", "Requested role and host", true)]
        ),
        DemoIntegrationPoint(
            interface: "SPI-SLM-CON", name: "Service level data feed", from: ("CON", "SLM"), to: ("SIAM", "SLM"),
            trigger: "Month end", channel: "file", standard: "CSV over SFTP (SIAM service level data model v1)",
            timing: "By the 3rd business day of the month", correlationKey: "Service code and period",
            dataItems: [
                ("Service code", "HOST", true), ("Metric", "Target metric", true), ("Period", "YYYY-MM", true),
                ("Achieved value", "Measured value", true), ("Breaches", "Ticket ids", false),
            ]
        ),
        DemoIntegrationPoint(
            interface: "SPI-SLM-CON", name: "Service review meeting", from: ("SIAM", "SLM"), to: ("CON", "SLM"),
            trigger: "Quarterly service review", channel: "meeting", standard: "Service review agenda template",
            timing: "Third week of each quarter", correlationKey: "Review reference",
            dataItems: [("Action log", "Open actions", true), ("Improvement items", "Service improvement plan", false)]
        ),
        DemoIntegrationPoint(
            interface: "SPI-CAP-CON", name: "Capacity and performance data", from: ("CON", "CAP"), to: ("SIAM", "CAP"),
            trigger: "Daily export", channel: "api", standard: "REST API (BMC Helix Capacity Optimization export)",
            timing: "Daily by 06:00 UTC", correlationKey: "CI name and timestamp",
            dataItems: [
                ("CI name", "Hosting CI", true), ("Utilisation", "CPU, memory, storage", true),
                ("Threshold breaches", "Over 80 %", false),
            ]
        ),
        DemoIntegrationPoint(
            interface: "SPI-CAP-CON", name: "Business demand forecast", from: ("NWR", "CAP"), to: ("CON", "CAP"),
            trigger: "Campaign and peak-season planning", channel: "email",
            standard: "Demand forecast template (spreadsheet)", timing: "Quarterly, 8 weeks before the quarter",
            correlationKey: "Quarter",
            dataItems: [("Campaign calendar", "Promotions and launches", true), ("Expected orders", "Per day", true)]
        ),
        DemoIntegrationPoint(
            interface: "SPI-CFG-TAIL", name: "CI synchronisation", from: ("TAIL", "CFG"), to: ("SIAM", "CFG"),
            trigger: "A CI is created, changed or retired in Tailspin's CMDB", channel: "api",
            standard: "ServiceNow CMDB Identification and Reconciliation (IRE) REST API", timing: "Hourly",
            correlationKey: "ServiceNow sys_id <-> SIAM CI id",
            dataItems: [
                ("CI id", "sys_id", true), ("Class", "CI class", true), ("Name", "CI name", true),
                ("Status", "Operational status", true), ("Relationships", "Depends-on links", false),
            ]
        ),
        DemoIntegrationPoint(
            interface: "SPI-ISM-FAB", name: "Security incident notification", from: ("FAB", "ISM"), to: ("NWR", "ISM"),
            trigger: "A suspected or confirmed security incident", channel: "email",
            standard: "S/MIME-encrypted email to the security mailbox, followed by a phone call",
            timing: "Within 1 hour of detection", correlationKey: "Security incident reference",
            dataItems: [
                ("Reference", "Fabrikam security incident id", true), ("Description", "What happened", true),
                ("Data affected", "Personal data involved?", true),
            ]
        ),
        DemoIntegrationPoint(
            interface: "SPI-ISM-FAB", name: "Privileged access approval", from: ("FAB", "ISM"), to: ("NWR", "ISM"),
            trigger: "A Fabrikam agent needs privileged access to a Northwind system", channel: "portal",
            standard: "Jira Service Management approval workflow", timing: "Before access is granted",
            correlationKey: "Jira request key",
            dataItems: [
                ("Agent", "Named person", true), ("System", "Target system", true), ("Duration", "Hours", true),
            ]
        ),
    ]

    // MARK: Management information

    struct DemoInformationItem {
        var interface: String
        var name: String
        var content: String
        var frequency: String
        var dueRule: String
        var format: String
        var sender: String
        /// Party codes or person keys.
        var recipients: [String]
    }

    static let informationItems: [DemoInformationItem] = [
        DemoInformationItem(
            interface: "SPI-INC-FAB", name: "Incident performance report",
            content: "Volumes, SLA attainment by priority, first-contact resolution, reopen rate",
            frequency: "monthly", dueRule: "5th business day", format: "PDF and CSV", sender: "FAB",
            recipients: ["SIAM", "becker"]
        ),
        DemoInformationItem(
            interface: "SPI-INC-FAB", name: "Major incident report",
            content: "Timeline, impact, workaround, resolution and the follow-up problem record",
            frequency: "on_event", dueRule: "within 2 business days of resolution", format: "PDF", sender: "FAB",
            recipients: ["SIAM", "NWR"]
        ),
        DemoInformationItem(
            interface: "SPI-INC-CON", name: "Hosting incident report",
            content: "Incidents by CI and priority, SLA attainment, top recurring alerts", frequency: "monthly",
            dueRule: "5th business day", format: "PDF", sender: "CON", recipients: ["SIAM", "becker"]
        ),
        DemoInformationItem(
            interface: "SPI-INC-CON", name: "Major incident notification",
            content: "Declaration, impact and next update time", frequency: "on_event",
            dueRule: "within 15 minutes of declaration", format: "Email and SMS", sender: "CON",
            recipients: ["SIAM", "lindqvist"]
        ),
        DemoInformationItem(
            interface: "SPI-INC-TAIL", name: "Application incident backlog",
            content: "Open incidents by age and priority", frequency: "weekly", dueRule: "every Monday",
            format: "ServiceNow dashboard", sender: "TAIL", recipients: ["SIAM"]
        ),
        DemoInformationItem(
            interface: "SPI-INC-TAIL", name: "Application incident report",
            content: "Volumes, SLA attainment, incidents caused by releases", frequency: "monthly",
            dueRule: "5th business day", format: "PDF", sender: "TAIL", recipients: ["SIAM", "becker"]
        ),
        DemoInformationItem(
            interface: "SPI-PRB-CON", name: "Problem and known error status",
            content: "Open problems, new known errors, fixes scheduled", frequency: "monthly",
            dueRule: "10th business day", format: "Spreadsheet", sender: "CON", recipients: ["SIAM", "becker"]
        ),
        DemoInformationItem(
            interface: "SPI-PRB-TAIL", name: "Root cause analysis report",
            content: "Root cause, contributing factors and corrective actions", frequency: "on_event",
            dueRule: "within 10 business days of major incident closure", format: "PDF", sender: "TAIL",
            recipients: ["SIAM", "okafor"]
        ),
        DemoInformationItem(
            interface: "SPI-CHG-CON", name: "Forward schedule of change",
            content: "Authorized changes and freeze periods for the next 8 weeks", frequency: "weekly",
            dueRule: "every Thursday", format: "iCalendar and PDF", sender: "SIAM", recipients: ["CON", "larsen"]
        ),
        DemoInformationItem(
            interface: "SPI-CHG-CON", name: "Hosting change success report",
            content: "Changes implemented, failed, backed out; incidents caused by change", frequency: "monthly",
            dueRule: "5th business day", format: "PDF", sender: "CON", recipients: ["SIAM", "rahman"]
        ),
        DemoInformationItem(
            interface: "SPI-CHG-TAIL", name: "Release and change success report",
            content: "Releases deployed, failed changes, emergency changes", frequency: "monthly",
            dueRule: "5th business day", format: "PDF", sender: "TAIL", recipients: ["SIAM", "rahman"]
        ),
        DemoInformationItem(
            interface: "SPI-SR-FAB", name: "Request fulfilment report",
            content: "Requests by catalogue item, fulfilment times against target, backlog", frequency: "monthly",
            dueRule: "5th business day", format: "PDF and CSV", sender: "FAB", recipients: ["SIAM", "petrova"]
        ),
        DemoInformationItem(
            interface: "SPI-SR-FAB", name: "Customer satisfaction survey results",
            content: "Survey scores and verbatim comments", frequency: "quarterly", dueRule: "10th business day",
            format: "PDF", sender: "FAB", recipients: ["SIAM", "NWR"]
        ),
        DemoInformationItem(
            interface: "SPI-SLM-CON", name: "Service level report",
            content: "Achievement of every UC-CON target, breaches with reasons", frequency: "monthly",
            dueRule: "5th business day", format: "PDF and CSV", sender: "CON", recipients: ["SIAM", "watanabe"]
        ),
        DemoInformationItem(
            interface: "SPI-SLM-CON", name: "Quarterly service review pack",
            content: "Trends, improvement plan, risks, contract changes", frequency: "quarterly",
            dueRule: "15th business day", format: "Slides", sender: "CON", recipients: ["SIAM", "NWR", "watanabe"]
        ),
        DemoInformationItem(
            interface: "SPI-CAP-CON", name: "Capacity forecast",
            content: "Forecast demand against capacity for the next two quarters, with upgrade proposals",
            frequency: "quarterly", dueRule: "last business day", format: "PDF", sender: "CON", recipients: []
        ),
        DemoInformationItem(
            interface: "SPI-CAP-CON", name: "Performance and utilisation report",
            content: "Utilisation trends, threshold breaches, tuning actions", frequency: "monthly",
            dueRule: "10th business day", format: "PDF", sender: "CON", recipients: ["SIAM", "moreau"]
        ),
        DemoInformationItem(
            interface: "SPI-ISM-FAB", name: "Security incident report",
            content: "Nature, scope, containment and notification duties", frequency: "on_event",
            dueRule: "within 1 hour of detection", format: "Encrypted email", sender: "FAB",
            recipients: ["NWR", "natarajan"]
        ),
        DemoInformationItem(
            interface: "SPI-ISM-FAB", name: "Access review report",
            content: "Privileged accounts, leavers removed, exceptions", frequency: "quarterly",
            dueRule: "10th business day", format: "Spreadsheet", sender: "FAB", recipients: ["NWR"]
        ),
        DemoInformationItem(
            interface: "SPI-ISM-FAB", name: "Security compliance attestation",
            content: "Signed statement of control compliance with evidence", frequency: "annually",
            dueRule: "20th business day of January", format: "Signed PDF", sender: "FAB",
            recipients: ["NWR", "natarajan"]
        ),
    ]

    // MARK: Reviews

    struct DemoReview {
        var interface: String
        /// Days from today.
        var date: Int
        var body: String
        var outcome: String
        var reviewer: String
        var version: String
        var notes: String
    }

    static let reviews: [DemoReview] = [
        DemoReview(
            interface: "SPI-INC-FAB", date: -490, body: "SIAM governance board", outcome: "approved",
            reviewer: "lindqvist", version: "1.0", notes: "First version."
        ),
        DemoReview(
            interface: "SPI-INC-FAB", date: -130, body: "SIAM governance board", outcome: "changes_required",
            reviewer: "lindqvist", version: "2.0", notes: "Major incident timings unclear; add the resolution feedback."
        ),
        DemoReview(
            interface: "SPI-CHG-TAIL", date: -10, body: "SIAM governance board", outcome: "changes_required",
            reviewer: "lindqvist", version: "0.8",
            notes: "Both the SIAM office and Tailspin claim accountability for authorizing emergency changes."
        ),
        DemoReview(
            interface: "SPI-ISM-FAB", date: -385, body: "Northwind security board", outcome: "approved",
            reviewer: "natarajan", version: "1.0", notes: "Approved with the annual attestation added."
        ),
    ]
}
