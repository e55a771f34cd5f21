/// The systemd unit that runs `faxline serve`: as its own system user, with the data folder
/// the only place it may write, restarted when it fails. `contrib/faxline.service` is this text
/// for the defaults (a test keeps the two the same); `faxline install-service` writes it with
/// the installed program's path and the data folder it was given.
struct ServiceUnit: Equatable {
    var program = "/usr/local/bin/faxline"
    var dataDirectory = DataOptions.defaultDirectory
    var user = "faxline"

    /// A data folder under /var/lib is systemd's state directory: systemd creates it, owned by
    /// the user, before each start. Elsewhere `install-service` creates it.
    var stateDirectory: String? {
        let prefix = "/var/lib/"
        guard dataDirectory.hasPrefix(prefix), dataDirectory.count > prefix.count else { return nil }
        return String(dataDirectory.dropFirst(prefix.count))
    }

    var text: String {
        var lines = [
            "# Faxline's server (faxline serve) as a systemd service.",
            "# Installed by `faxline install-service`; by hand: put the program at \(program), create the",
            "# user (useradd --system --user-group --home-dir \(dataDirectory) --shell /usr/sbin/nologin \(user)),",
            "# copy this file to /etc/systemd/system/, then systemctl daemon-reload && systemctl enable --now faxline.",
            "",
            "[Unit]",
            "Description=Faxline fax server for Asterisk",
            "Documentation=man:faxline(1)",
            "After=network-online.target asterisk.service",
            "Wants=network-online.target",
            "",
            "[Service]",
            "Type=exec",
            "User=\(user)",
            "Group=\(user)",
            "ExecStart=\(program) serve --data \(dataDirectory)",
        ]
        if let stateDirectory {
            lines += ["StateDirectory=\(stateDirectory)", "StateDirectoryMode=0750"]
        }
        lines += [
            "UMask=0027",
            "Restart=on-failure",
            "RestartSec=5",
            "# Calls on the line get 30 s to finish after systemctl stop.",
            "TimeoutStopSec=60",
            "LimitNOFILE=65536",
            "",
            "# Hardening: the data folder is the only place it writes; no privileges to gain.",
            "NoNewPrivileges=yes",
            "ProtectSystem=strict",
            "ProtectHome=yes",
            "PrivateTmp=yes",
            "PrivateDevices=yes",
            "ReadWritePaths=\(dataDirectory)",
            "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
            "CapabilityBoundingSet=",
            "AmbientCapabilities=",
            "ProtectKernelTunables=yes",
            "ProtectKernelModules=yes",
            "ProtectKernelLogs=yes",
            "ProtectControlGroups=yes",
            "ProtectClock=yes",
            "ProtectHostname=yes",
            "RestrictNamespaces=yes",
            "RestrictRealtime=yes",
            "RestrictSUIDSGID=yes",
            "LockPersonality=yes",
            "SystemCallArchitectures=native",
            "",
            "[Install]",
            "WantedBy=multi-user.target",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
