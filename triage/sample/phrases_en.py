"""English phrase book: how (often non-native) users describe problems, and agents' answers."""
# ruff: noqa: E501  (a phrase book: one sentence per line reads better than split strings)

from __future__ import annotations

from triage.sample.phrasebook import Frames, Problem
from triage.schema import Level

P = Problem
PROBLEMS: dict[str, Problem] = {
    "password_reset": P(
        ("Forgot password", "password expired", "Cannot log in - password?"),
        (
            "I forgot my password and can't get into Windows anymore.",
            "My password expired and it asks me to change it, but the change fails.",
            "After my holiday I don't remember my password. Can you reset it please?",
            "Sign-in says 'The password is incorrect' but I'm sure it is right.",
        ),
        ("Password expired after 90 days.", "User forgot password."),
        (
            "Password reset in AD, temporary password given by phone. User can log in again.",
            "Guided user through self-service password reset (SSPR), works again.",
        ),
        "Reset your own password with self-service",
        (
            "Go to https://aka.ms/sspr from your phone or another computer.",
            "Verify your identity with the Authenticator app or your mobile number.",
            "Choose a new password of at least 14 characters and sign in again.",
        ),
    ),
    "account_locked": P(
        ("Account locked", "account locked out", "Locked out of my account"),
        (
            "My account is locked after too many wrong passwords.",
            "I get 'The referenced account is currently locked out and may not be logged on to'.",
            "Since I changed my password my account keeps getting locked.",
            "Can't log in, it says my account has been disabled.",
        ),
        ("Old password still stored on phone, locking the account.", "Too many failed attempts."),
        (
            "Account unlocked in AD. Removed old password from the phone's mail app.",
            "Account unlocked, user can sign in again.",
        ),
        "Account keeps locking after a password change",
        (
            "Remove stored old passwords from Windows Credential Manager.",
            "Update the password in the mail app on your phone and tablet.",
            "Ask the service desk to unlock the account and sign in again.",
        ),
    ),
    "mfa_authenticator": P(
        ("Authenticator not working", "MFA new phone", "no verification code"),
        (
            "I got a new phone and the Authenticator app asks for a code I don't have.",
            "I no longer get the notification on my phone to approve the sign-in.",
            "When signing in it asks for two-step verification but the text message never arrives.",
            "Microsoft Authenticator says 'Something went wrong' after scanning the QR code.",
        ),
        ("Authenticator not moved to the new phone.", "Outdated MFA registration."),
        (
            "MFA methods reset in Entra ID, user re-registered the Authenticator app.",
            "Updated MFA phone number, sign-in works again.",
        ),
        "Set up Microsoft Authenticator on a new phone",
        (
            "Install Microsoft Authenticator on the new phone.",
            "Go to https://mysignins.microsoft.com/security-info and choose 'Add sign-in method'.",
            "Scan the QR code, then remove the old phone from the list.",
        ),
    ),
    "outlook_send_receive": P(
        ("Outlook not sending", "Emails stuck in outbox", "outlook error {outlook_err}"),
        (
            "My emails stay in the Outbox and nothing comes in.",
            "Outlook shows error {outlook_err} on send/receive.",
            "Outlook is stuck on 'Trying to connect' and I see no new mail.",
            "Since this morning I don't receive email in Outlook, webmail works fine.",
        ),
        ("Corrupt Outlook profile (OST file).", "Outlook was in offline mode."),
        (
            "Created a new Outlook profile, OST resynchronised. Mail works again.",
            "Turned off Work Offline and restarted Outlook, mail arrives again.",
        ),
        "Outlook does not send or receive email",
        (
            "Check the status bar for 'Working offline' and switch it off.",
            "Close and restart Outlook; check whether webmail works.",
            "If it still fails, create a new profile via Control Panel > Mail.",
        ),
        (
            "Nobody can send email, Outlook keeps saying 'Disconnected'.",
            "Exchange Online (Microsoft 365) service incident.",
            "Microsoft resolved the incident, mail flow restored. Users informed via intranet.",
        ),
    ),
    "mailbox_full": P(
        ("Mailbox full", "mailbox almost full warning", "Can't send mail, mailbox full"),
        (
            "I get a message that my mailbox is full and I can't send anything.",
            "Outlook says my mailbox is nearly at the 50 GB limit.",
            "My mailbox is full, can it be made bigger or can you turn on the archive?",
        ),
        ("Mailbox over quota because of large attachments.",),
        (
            "Enabled online archive and retention policy. Explained clean-up to user.",
            "Moved large attachments, quota warning gone.",
        ),
        "Clean up your mailbox or use the online archive",
        (
            "Sort your Inbox by size and delete or move large messages.",
            "Empty the Deleted Items folder.",
            "Ask the service desk for the online archive if cleaning is not enough.",
        ),
    ),
    "shared_mailbox": P(
        ("Access shared mailbox", "shared mailbox {mailbox} missing", "Add shared mailbox"),
        (
            "I no longer see the shared mailbox {mailbox} in Outlook.",
            "Please give me access to the shared mailbox {mailbox}, my manager approved.",
            "I can't send from {mailbox}, it says I don't have permission.",
        ),
        ("Missing permissions on shared mailbox.", "Send-as permission not granted."),
        (
            "Granted full access and send-as on {mailbox}, visible after Outlook restart.",
            "Added the shared mailbox manually in Outlook.",
        ),
        "Add a shared mailbox and send from it",
        (
            "Request access in the self-service portal (manager approval).",
            "After approval the mailbox appears in Outlook within an hour; restart Outlook.",
            "When sending, choose 'From' and select the shared mailbox address.",
        ),
    ),
    "calendar_sharing": P(
        ("Share calendar", "colleague's calendar not visible", "Cannot edit calendar"),
        (
            "I want to share my calendar with my assistant so she can book meetings.",
            "I can't open my colleague's calendar anymore, it says 'no permission'.",
            "Meeting requests show up twice in my calendar.",
        ),
        ("Delegate not set up correctly.",),
        (
            "Explained delegate settings, calendar shared with edit rights.",
            "Delegate re-configured, duplicates solved.",
        ),
        "Share your calendar or add a delegate in Outlook",
        (
            "Right-click your calendar in Outlook and choose Share > Calendar Permissions.",
            "Add the colleague and choose 'Can edit' or 'Delegate'.",
            "Have the colleague restart Outlook; the calendar appears under 'Shared Calendars'.",
        ),
    ),
    "print_queue": P(
        ("Printer not printing", "print job stuck", "printer {printer} offline"),
        (
            "My print job stays in the queue and nothing comes out of the printer.",
            "Printer {printer} at the {building} is offline.",
            "I print to FollowMe but at the printer my job is not there.",
            "Printer reports a paper jam but there is no paper stuck.",
        ),
        ("Stuck print queue.", "Printer unreachable, network cable unplugged."),
        (
            "Restarted print spooler and cleared queue, printing works.",
            "Reconnected network cable of {printer}, printer back online.",
        ),
        "Print job stuck in the queue",
        (
            "Remove your job from the queue (Settings > Printers).",
            "Restart your laptop so the print service restarts.",
            "Print again to the FollowMe printer and release it with your badge.",
        ),
        (
            "Nobody at the {building} can print, all jobs are stuck.",
            "Print server srv-app-03 hung.",
            "Restarted print server, cleared queues; printing works for everyone again.",
        ),
    ),
    "scan_to_mail": P(
        ("Scan to email not working", "scan not arriving", "Scanning on the copier"),
        (
            "When I scan to my email nothing arrives.",
            "The copier at the {building} says 'Send failed' when scanning to email.",
            "My scans don't reach my mailbox anymore, yesterday they did.",
        ),
        (
            "SMTP relay refused for the multifunction printer.",
            "Wrong email address in the printer's address book.",
        ),
        (
            "Updated the copier address book, scans arrive again.",
            "Fixed relay setting, scan to email works.",
        ),
        "Scan to email on the multifunction printer",
        (
            "Log in on the copier with your badge.",
            "Choose 'Scan to me' instead of typing an address.",
            "Check your Junk folder if the scan is not in your Inbox.",
        ),
    ),
    "printer_install": P(
        ("Add printer", "Install new printer", "printer missing from list"),
        (
            "I'm on another floor and want to add printer {printer}.",
            "Our department's printer is not in my list of printers.",
            "How do I install the printer at home? I often work from home.",
        ),
        ("Printer not mapped to the workstation.",),
        (
            "Added printer via print server, printed a test page.",
            "Explained home printers are not supported; explained FollowMe.",
        ),
        "Add an office printer",
        (
            "Open Settings > Printers & scanners and choose 'Add device'.",
            "Choose 'The printer I want isn't listed' and type \\\\srv-app-03.",
            "Pick your floor's printer or use the FollowMe queue.",
        ),
    ),
    "access_request": P(
        ("Access request", "No permission on folder", "Access {drive} drive"),
        (
            "I need access to the {dept} department folder on the {drive} drive.",
            "Opening the folder gives 'You don't currently have permission to access this folder'.",
            "New colleague in my team needs the same rights as me in TOPdesk and the {drive} drive.",
            "I can't get into the application, it says 'Not authorised'. I just moved departments.",
        ),
        ("User not in the right AD group.", "Authorisations not moved with internal transfer."),
        (
            "Added to the AD group after manager approval, asked user to sign in again.",
            "Roles granted in the application, user has access.",
        ),
        "Request access to a folder or application",
        (
            "Submit a request in the self-service portal under 'Access'.",
            "Your manager receives an approval request.",
            "After approval, sign out and in again so the new rights take effect.",
        ),
    ),
    "office_license": P(
        ("Office not activated", "Office licence expired", "Word read-only mode"),
        (
            "Word and Excel open in read-only mode only, it says 'Product not activated'.",
            "Office asks me to sign in to activate the licence but it doesn't work.",
            "I get 'There is a problem with your account' at the top of Excel.",
        ),
        ("Microsoft 365 licence not assigned.", "Stale licence token in cache."),
        (
            "Assigned licence in M365 admin, signed in to Office again.",
            "Cleared Office credentials, signed in again; activated.",
        ),
        "Office says 'Product not activated'",
        (
            "Close all Office apps.",
            "Open Word, go to File > Account and sign out and back in.",
            "If the message stays, contact the service desk to check your licence.",
        ),
    ),
    "laptop_slow": P(
        ("Laptop very slow", "computer slow", "Everything freezes"),
        (
            "My laptop has been really slow for a few days, booting takes 10 minutes.",
            "Everything freezes as soon as I have Teams and Excel open at the same time.",
            "The fan is very loud and the laptop gets hot and slow.",
            "My {laptop} is so slow I can't work normally.",
        ),
        ("Disk almost full.", "Windows updates stuck.", "Too little memory for workload."),
        (
            "Cleaned disk and installed pending updates, laptop back to normal.",
            "Reinstalled laptop via Intune (Autopilot reset).",
        ),
        "Your laptop is slow: try this first",
        (
            "Really restart your laptop (not just closing the lid).",
            "Install pending updates via Software Center and Windows Update.",
            "Clean up your Downloads folder and close programs you don't use.",
        ),
    ),
    "docking_monitor": P(
        ("Second screen not working", "docking station", "No picture on monitor"),
        (
            "When I put my laptop in the docking station the external screen stays black.",
            "My second monitor is not detected at the flex desk.",
            "The dock doesn't charge my laptop anymore and keyboard and mouse do nothing.",
        ),
        ("Outdated docking station firmware.", "Display set to 'PC screen only'."),
        (
            "Updated dock firmware and driver, both screens work.",
            "Set display to 'Extend' (Windows+P), solved.",
        ),
        "No picture on your external screen via the dock",
        (
            "Press Windows+P and choose 'Extend'.",
            "Take the laptop out of the dock, wait 10 seconds, put it back.",
            "Install 'Dell Command Update' from Software Center to update the dock.",
        ),
    ),
    "software_install": P(
        ("Install software", "Need {sw}", "Can't install program"),
        (
            "I need {sw} for my work but I have no rights to install it.",
            "{sw} is not in Software Center, can you install it?",
            "Installing {sw} from Software Center stays on 'Installing'.",
        ),
        ("Software not made available to user.", "Install failed due to pending reboot."),
        (
            "Made the application available in Software Center, user installed it.",
            "Rebooted laptop and restarted the install, succeeded.",
        ),
        "Install software via Software Center",
        (
            "Open Software Center from the Start menu.",
            "Find the program and click Install.",
            "If it's not listed, request it in the portal; paid software needs a licence.",
        ),
    ),
    "vpn_globalprotect": P(
        ("VPN not working", "GlobalProtect won't connect", "can't reach network from home"),
        (
            "GlobalProtect is stuck on 'Connecting...' and I can't get on the network.",
            "I get '{gp_err}' when I try to log in from home.",
            "From home I can't reach the {drive} drive since yesterday, VPN says connected but nothing works.",
            "The VPN keeps dropping, every ten minutes I have to reconnect.",
        ),
        ("Expired device certificate.", "Home router blocks IPsec, SSL fallback failed."),
        (
            "Renewed device certificate via Intune, GlobalProtect connects again.",
            "Updated GlobalProtect client to 6.2 and reset the gateway.",
        ),
        "GlobalProtect (VPN) won't connect",
        (
            "Check you have internet at home (open any website).",
            "Click the GlobalProtect icon > Settings > 'Refresh' and connect again.",
            "If it fails, restart your laptop while connected to the internet.",
        ),
        (
            "Nobody can connect through GlobalProtect, all home workers are cut off.",
            "VPN gateway incident (expired server certificate).",
            "Renewed the gateway certificate, VPN works again for everyone.",
        ),
    ),
    "network_drive": P(
        ("Network drive missing", "{drive} drive not reachable", "Can't open shared folder"),
        (
            "My {drive} drive disappeared from Explorer.",
            "Opening the {drive} drive says 'The network path was not found'.",
            "Files on the department share open very slowly or not at all.",
        ),
        (
            "Drive mapping not recreated after logging on off-network.",
            "File server {host} overloaded.",
        ),
        (
            "Re-mapped drives via logon script, visible again.",
            "Restarted file server outside office hours, files fast again.",
        ),
        "Network drive (G:, H:) not visible",
        (
            "Check you're in the office or connected to VPN.",
            "Sign out and in so the drives map again.",
            "Otherwise type the path \\\\srv-file-02\\afdelingen in Explorer.",
        ),
        (
            "Nobody can reach the {drive} drive, 'The network path was not found'.",
            "File server srv-file-02 unreachable after an update.",
            "File server repaired and restarted, drives reachable again.",
        ),
    ),
    "internet_outage": P(
        ("No internet", "internet down", "Network outage at {building}"),
        (
            "At the {building} we have no internet, not even over the cable.",
            "Websites don't load, I get 'No internet access'.",
            "The network on our floor is completely down.",
        ),
        ("Faulty floor switch.", "ISP outage."),
        (
            "Network team replaced the switch, connection restored.",
            "ISP fixed the outage, connection checked.",
        ),
        "No internet at the office: what to check",
        (
            "Check that the network cable is plugged into laptop and wall socket.",
            "Try Wi-Fi instead of the cable (or the other way round).",
            "If colleagues have it too, report it to the service desk by phone.",
        ),
        (
            "The whole {building} has no internet.",
            "Fibre connection to the {building} down.",
            "ISP restored the connection; network monitored until stable.",
        ),
    ),
    "wifi_connect": P(
        ("Wifi not working", "can't connect to wifi", "wifi keeps dropping"),
        (
            "My laptop won't connect to the Rivierstad wifi anymore.",
            "The wifi in the meeting room at the {building} keeps dropping.",
            "I see the wifi network but it stays on 'Checking identity'.",
        ),
        ("Wi-Fi certificate not renewed.", "Poor coverage, faulty access point."),
        ("Re-deployed wifi profile, connection stable.", "Network team replaced the access point."),
        "No connection to the Wi-Fi network",
        (
            "Turn Wi-Fi off and on, or toggle airplane mode.",
            "Forget the network and connect again with your account.",
            "If it stays on 'Checking identity', restart the laptop in the office on a cable.",
        ),
        (
            "Nobody at the {building} can get on the wifi.",
            "Wifi controller hung.",
            "Restarted wifi controller, all access points back online.",
        ),
    ),
    "guest_wifi": P(
        ("Guest wifi", "Wifi for visitors", "guest network code"),
        (
            "I have external visitors tomorrow, how do they get on the guest wifi?",
            "The guest network code doesn't work anymore.",
            "My private phone won't connect to Rivierstad-Gast.",
        ),
        ("Weekly guest code rotation.",),
        ("Gave the new guest code.", "Explained the guest wifi works via the registration page."),
        "Wi-Fi for guests and visitors",
        (
            "Visitors choose the network Rivierstad-Gast.",
            "They register with their mobile number and get a code by text.",
            "Access is valid for 24 hours.",
        ),
    ),
    "teams_calling": P(
        ("Teams calling not working", "Can't receive calls", "No audio on calls"),
        (
            "I can't call via Teams, the number isn't dialled.",
            "External callers get a busy tone when they call me.",
            "In Teams calls the other side can't hear me, my headset works though.",
            "Teams shows error code {teams_err} when signing in.",
        ),
        ("Phone number not linked to Teams account.", "Wrong audio device selected."),
        (
            "Re-assigned number in Teams Phone, calling works.",
            "Adjusted audio settings, headset as default.",
        ),
        "Calling with Teams: check audio and number",
        (
            "In Teams click ... > Settings > Devices and choose your headset.",
            "Make a test call.",
            "If your number isn't shown under 'Calls', report it to the service desk.",
        ),
        (
            "Nobody can call out via Teams, customers can't get through.",
            "Provider SIP trunk outage.",
            "Provider restored the trunk; inbound and outbound calls work.",
        ),
    ),
    "mobile_phone": P(
        ("Phone broken", "new SIM card", "Mail on phone not working"),
        (
            "My company {phone_model} doesn't work anymore, the screen stays black.",
            "I no longer get my work email on my phone.",
            "I need a new SIM card, the old one is damaged.",
            "My company phone asks for a Company Portal access code.",
        ),
        ("Device no longer compliant in Intune.", "Broken device."),
        (
            "Re-enrolled the device in Intune, mail works.",
            "Issued replacement phone, old one returned to vendor.",
        ),
        "Set up work email on your company phone",
        (
            "Install the Company Portal app and sign in with your work account.",
            "Follow the steps to enrol your device.",
            "Then install Outlook from the Company Portal.",
        ),
    ),
    "voicemail": P(
        ("Set up voicemail", "turn off voicemail", "Phone out of office"),
        (
            "How do I set up voicemail on my Teams number?",
            "I want to change my voicemail greeting for the holidays.",
            "Callers go straight to voicemail while I'm online.",
        ),
        ("Call forwarding was on.",),
        ("Turned off forwarding, explained how to set up voicemail.",),
        "Set up your voicemail in Teams",
        (
            "In Teams go to Settings > Calls.",
            "Click 'Configure voicemail' and record a greeting.",
            "Check under 'Call answering rules' that forwarding is off.",
        ),
    ),
    "disk_full": P(
        ("Disk full on server", "disk space {host}", "Disk almost full"),
        (
            "Disk {mount} on {host} is {pct}% full, the application throws errors.",
            "We get low disk space warnings on {host}.",
            "The application server can't write log files anymore.",
        ),
        ("Log files not rotated.", "Database growth without clean-up."),
        (
            "Cleaned old log files and configured log rotation, {mount} back under 70%.",
            "Extended the disk by 50 GB.",
        ),
        "Disk full on a server: first actions",
        (
            "Find the growing folder with 'du -sh' or TreeSize.",
            "Delete old logs according to the retention policy.",
            "Extend the disk in vSphere if clean-up is not enough and check monitoring.",
        ),
    ),
    "backup_failed": P(
        ("Backup failed", "backup job failed {host}", "Backup alert"),
        (
            "Last night's backup of {host} failed.",
            "Veeam reports 'Failed' for the file server job.",
            "Backup hasn't succeeded for two nights.",
        ),
        ("Snapshot could not be created (VSS error).", "Backup repository full."),
        (
            "Fixed VSS writers, reran backup manually: success.",
            "Pruned old restore points, job succeeded.",
        ),
        "Handling a failed Veeam backup",
        (
            "Read the job's error in the Veeam console.",
            "Check the VSS writers with 'vssadmin list writers'.",
            "Rerun the job and check the result the next morning.",
        ),
    ),
    "server_unreachable": P(
        ("Server unreachable", "{host} down", "Application server not responding"),
        (
            "Server {host} is not responding, the application is unavailable.",
            "We get a timeout opening the application on {host}.",
            "The municipality website returns a 503 error.",
        ),
        ("Server hung after a memory leak.", "Service not started after Windows update."),
        (
            "Restarted server and service, application available again.",
            "Added memory, service monitored.",
        ),
        "Server unreachable: checklist",
        (
            "Check in monitoring whether the server still answers ping.",
            "Log in via the console and check the services.",
            "Restart the service or server and inform the service desk about the outage.",
        ),
        (
            "The application on {host} is down for everyone.",
            "Server {host} hung.",
            "Restarted the server and investigated the cause; application available again.",
        ),
    ),
    "file_restore": P(
        ("Restore file", "Folder deleted by accident", "need old version of document"),
        (
            "I accidentally deleted a folder on the {drive} drive, can you restore it?",
            "An Excel file was overwritten, I need last week's version.",
            "Files in our department folder have disappeared.",
        ),
        ("File deleted by user.",),
        (
            "Restored the folder from last night's backup.",
            "Restored previous version from shadow copy.",
        ),
        "Restore a deleted file or previous version",
        (
            "Right-click the folder and choose 'Restore previous versions'.",
            "Pick a version from before the change and click Restore.",
            "If that fails, request a restore from the service desk with path and date.",
        ),
    ),
    "afas_login": P(
        ("AFAS login fails", "AFAS Pocket", "InSite not reachable"),
        (
            "I can't log in to AFAS InSite, I get an error.",
            "AFAS Pocket keeps asking me to link again.",
            "After logging in to AFAS I see a blank screen.",
        ),
        ("Single sign-on link expired.", "User not active in AFAS."),
        ("Restored SSO link, login works.", "Activated employee in AFAS Profit."),
        "Logging in to AFAS InSite and Pocket",
        (
            "Use the link on the intranet (you sign in with your work account).",
            "Re-link AFAS Pocket via 'Settings > Environment'.",
            "If you see a blank screen, clear your browser cache.",
        ),
        (
            "Nobody can log in to AFAS InSite.",
            "AFAS Online outage.",
            "AFAS resolved the outage, InSite reachable again.",
        ),
    ),
    "payslip_declaration": P(
        ("Expense claim stuck", "{hr_thing_en} in AFAS", "Payslip not visible"),
        (
            "My {hr_thing_en} has been 'In progress' in AFAS for two weeks.",
            "I can't find this month's payslip in InSite.",
            "Submitting a {hr_thing_en} gives an error about the cost centre.",
        ),
        ("Workflow was assigned to a manager who left.", "Cost centre inactive."),
        ("Moved the workflow to the new manager.", "Activated cost centre, claim resubmitted."),
        "Track your expense claim or leave request in AFAS",
        (
            "Open InSite > My tasks > 'My file'.",
            "Check who the request is waiting on.",
            "If it's someone who left, report it to HR functional management.",
        ),
    ),
    "invoice_workflow": P(
        ("Invoice stuck", "invoice {invoice} in workflow", "Can't approve invoice"),
        (
            "Invoice {invoice} is in my workflow but I can't approve it in {fin_app}.",
            "I get 'budget holder unknown' when approving invoices.",
            "The supplier's invoice can't be found in {fin_app}.",
        ),
        ("Budget holder mandate not configured.", "Invoice misread by the scanning service."),
        ("Added mandate, invoice approved.", "Re-imported invoice and put it in the workflow."),
        "Approving invoices in the workflow",
        (
            "Open the workflow via 'My tasks' in {fin_app}.",
            "Check amount and cost centre and choose 'Approve'.",
            "If you get 'budget holder unknown', request the mandate from finance functional management.",
        ),
    ),
    "finance_report": P(
        ("Report incorrect", "{fin_app} report wrong", "Export not working"),
        (
            "The budget report in {fin_app} shows different amounts than last week.",
            "Export to Excel from {fin_app} hangs.",
            "Bookings are missing from the monthly report.",
        ),
        ("Report used wrong period setting.", "Nightly processing did not run."),
        ("Adjusted period setting in report.", "Restarted processing, report correct again."),
        "Reports in the finance system",
        (
            "Check the selected period and fiscal year.",
            "Refresh the data (processing runs at night).",
            "Export large reports as CSV instead of Excel.",
        ),
    ),
    "case_not_visible": P(
        ("Case not visible", "can't open case {zaaknr}", "Case system error"),
        (
            "I can't open case {zaaknr} in the case management system, it says 'no rights'.",
            "My team's cases are no longer visible in my work queue.",
            "The case system shows 'An unexpected error occurred' when opening a case.",
        ),
        ("Case assigned to the wrong department.", "Role missing in the case system."),
        ("Transferred case to the right handler.", "Granted 'handler' role, cases visible."),
        "A case is not visible in your work queue",
        (
            "Check your work queue filter (department and status).",
            "Search the case by number.",
            "If you see 'no rights', ask the coordinator to assign the case to you.",
        ),
    ),
    "document_templates": P(
        ("Template not working", "Create document in case", "letter generation failed"),
        (
            "When I create a letter from case {zaaknr} the screen stays white.",
            "The templates in the case system no longer fill in address details.",
            "Documents don't open in Word from the case system.",
        ),
        ("Template not published after change.", "Case system Word add-in not installed."),
        ("Republished template.", "Installed add-in, documents open again."),
        "Creating documents from a case",
        (
            "Open the case and choose 'Add document' > 'From template'.",
            "Check the Word add-in is enabled (File > Options > Add-ins).",
            "Report missing fields to functional management with case number and template name.",
        ),
    ),
    "citrix_login": P(
        ("Citrix login", "Citrix Workspace not working", "Can't get into Citrix"),
        (
            "I can't log in to Citrix Workspace, I get 'Cannot connect to the server'.",
            "Citrix keeps asking for my password.",
            "Clicking the desktop in Citrix does nothing.",
        ),
        ("Outdated Citrix Workspace app.", "Session stuck on the server."),
        (
            "Updated Citrix Workspace app, login works.",
            "Logged off stuck session via Citrix Director.",
        ),
        "Can't log in to Citrix Workspace",
        (
            "Check you have the latest Citrix Workspace app.",
            "Go to https://werkplek.rivierstad.example and log in via the browser.",
            "If it hangs, ask the service desk to log off your session.",
        ),
        (
            "Nobody can log in to Citrix, 'Cannot connect to the server'.",
            "Citrix StoreFront server incident.",
            "Restarted StoreFront service, login works again.",
        ),
    ),
    "citrix_session": P(
        ("Citrix session freezes", "Citrix slow", "Citrix disconnects"),
        (
            "My Citrix session freezes every few minutes and I lose my work.",
            "Everything in Citrix is very slow, typing lags behind.",
            "I keep getting kicked out of my Citrix session.",
        ),
        ("Overloaded Citrix server {host}.", "Profile grown too large."),
        (
            "Moved user to another server, cleaned profile.",
            "Adjusted load balancing, session stable.",
        ),
        "Citrix session slow or frozen",
        (
            "Save your work and log off (don't just close the window).",
            "Log in again; you may get another server.",
            "If it stays slow, report it with time and server name.",
        ),
    ),
    "onedrive_sync": P(
        ("OneDrive not syncing", "OneDrive error", "files not synced"),
        (
            "OneDrive has been on 'Sync pending' for days.",
            "There is a red cross on my OneDrive files.",
            "Files I save at home don't show up at the office.",
        ),
        ("File name with invalid characters.", "Path too long."),
        ("Renamed invalid file names, sync resumed.", "Reset OneDrive, syncing."),
        "OneDrive is not syncing",
        (
            "Click the OneDrive cloud and read the errors.",
            "Rename files with characters like # % : ? or long paths.",
            "If that doesn't help, pause and resume syncing.",
        ),
    ),
    "sharepoint_access": P(
        ("SharePoint access", "No access to Teams channel", "Site not visible"),
        (
            "I don't have access to the project's SharePoint site.",
            "I get 'You need permission to access this resource' on a colleague's link.",
            "I disappeared from the {dept} team in Teams.",
        ),
        ("User not added as member.", "External sharing disabled."),
        ("Site owner added user as member.", "Access arranged via owner."),
        "Access to a SharePoint site or Teams team",
        (
            "Click 'Request access' on the error page.",
            "The team owner receives your request.",
            "If you don't know the owner, ask the service desk to look it up.",
        ),
    ),
    "teams_meeting": P(
        ("Teams meeting problems", "camera not working in Teams", "Screen sharing fails"),
        (
            "My camera doesn't work in Teams, others see a black picture.",
            "I can't share my screen in a Teams meeting.",
            "Teams keeps crashing when starting a meeting.",
        ),
        ("Camera blocked in privacy settings.", "Corrupt Teams cache."),
        ("Enabled camera access in Windows privacy settings.", "Cleared Teams cache, works again."),
        "Camera, microphone or screen sharing not working in Teams",
        (
            "Check in Windows Settings > Privacy that apps may use the camera.",
            "Quit Teams completely and clear the cache (%appdata%\\Microsoft\\Teams).",
            "Restart Teams and make a test call.",
        ),
    ),
    "app_crash": P(
        ("Application crashes", "Error when saving", "program closes"),
        (
            "The civil affairs application closes as soon as I click 'Save'.",
            "Opening a file gives 'Object reference not set to an instance of an object'.",
            "Since the new version the program crashes when printing an overview.",
        ),
        ("Bug in version 4.2 of the application.", "Defect in the latest release."),
        (
            "Vendor rolled out a hotfix, problem solved.",
            "Bug reported to dev team, fixed in release 4.2.1.",
        ),
        "Known error: application closes when saving",
        (
            "Save regularly and avoid 'Save and close'.",
            "Use the web version until the hotfix is rolled out.",
            "Report it with time and screenshot so it is linked to the problem record.",
        ),
    ),
    "wrong_data": P(
        ("Data incorrect", "Wrong calculation", "Data error in overview"),
        (
            "The overview in the application calculates the allowance wrongly.",
            "Addresses in the system are overwritten with old data after saving.",
            "Amounts in the overview differ from the source data.",
        ),
        ("Bug in the calculation module.", "Synchronisation error with the base registry."),
        (
            "Dev team deployed a fix and corrected the data.",
            "Restored synchronisation and reloaded data.",
        ),
        "Known error: deviating calculations in overviews",
        (
            "Check the source data and reference date of the overview.",
            "Write down example files with the difference.",
            "Report it to the service desk; it is raised as a problem with the vendor.",
        ),
    ),
    "laptop_damage": P(
        ("Laptop broken", "screen cracked", "keyboard faulty"),
        (
            "My laptop fell and the screen is cracked.",
            "Several keys on my {laptop} don't work anymore.",
            "I spilled coffee over my laptop.",
        ),
        ("Physical damage from a fall.", "Liquid damage."),
        (
            "Repair requested at Dell ProSupport, engineer replaced the screen.",
            "Issued loan laptop, laptop sent for repair.",
        ),
        "Report damage to your laptop",
        (
            "Switch the laptop off and don't charge it after liquid damage.",
            "Report the damage in the portal with a photo.",
            "You get a loan laptop while it is being repaired.",
        ),
    ),
    "no_power": P(
        ("Laptop won't start", "laptop doesn't turn on", "battery not charging"),
        (
            "My laptop doesn't turn on anymore, not even with the charger.",
            "The battery of my {laptop} doesn't charge.",
            "The light on the charger is off.",
        ),
        ("Faulty adapter.", "Battery failure."),
        ("Issued new adapter, laptop charges again.", "Battery replaced under warranty."),
        "Laptop won't start or charge",
        (
            "Try another charger or the docking station.",
            "Hold the power button 30 seconds without charger (hard reset).",
            "If that fails, come to the IT desk for a replacement charger.",
        ),
    ),
    "phishing": P(
        ("Suspicious email", "Phishing?", "Is this email real?"),
        (
            "I received an email that looks like Microsoft asking for my password.",
            "I clicked a link in an email about an 'unpaid invoice', is this phishing?",
            "I got an email from 'the director' asking me to buy gift cards.",
        ),
        ("Phishing campaign targeting the organisation.", "CEO fraud attempt."),
        (
            "Purged the mail from all mailboxes, blocked sender. User did not enter anything.",
            "Reset password and revoked sessions because user entered credentials.",
        ),
        "Recognise and report phishing",
        (
            "Don't click links or open attachments in suspicious mail.",
            "Use the 'Report phishing' button in Outlook.",
            "If you entered your password, call the service desk immediately.",
        ),
    ),
    "lost_device": P(
        ("Laptop lost", "phone stolen", "Lost company phone"),
        (
            "I left my company phone on the train yesterday.",
            "My laptop was stolen from the car.",
            "I lost my bag with laptop and badge.",
        ),
        ("Device lost or stolen.",),
        (
            "Remote-wiped device via Intune, revoked sessions, data breach check done.",
            "Blocked device and ordered replacement.",
        ),
        "What to do when a device is lost or stolen",
        (
            "Call the service desk immediately, also out of hours via the emergency number.",
            "IT wipes the device remotely.",
            "Report theft to the police and inform the privacy officer.",
        ),
    ),
    "malware_alert": P(
        ("Virus alert", "Defender alert", "suspicious program"),
        (
            "Defender reports '{malware}' on my laptop.",
            "Strange pop-ups appear and my browser opens websites by itself.",
            "My antivirus says a threat was found in an attachment.",
        ),
        ("Malware downloaded from attachment.", "Potentially unwanted software installed."),
        (
            "Isolated laptop, full scan and reinstall.",
            "Defender removed the threat, no further activity.",
        ),
        "A Microsoft Defender alert",
        (
            "Don't click 'Allow'.",
            "Disconnect your laptop from the network if Defender couldn't remove the threat.",
            "Report it to the service desk with the threat name.",
        ),
    ),
    "hardware_request": P(
        ("Headset request", "request new laptop", "Request extra monitor"),
        (
            "I'd like to request a new headset, the old one is broken.",
            "My laptop is five years old, can I get a new one?",
            "For working from home I'd like an extra monitor and keyboard.",
        ),
        ("Standard request.",),
        (
            "Ordered via the webshop, user can collect it at the IT desk.",
            "Request approved and delivered.",
        ),
        "Requesting hardware (headset, monitor, laptop)",
        (
            "Request hardware in the portal under 'Order'.",
            "Your manager approves the request.",
            "You get an email when your order is ready at the IT desk.",
        ),
    ),
    "software_request": P(
        ("Licence request", "Request {sw}", "order software"),
        (
            "I'd like to request a licence for {sw}.",
            "For a project we need three {sw} licences.",
            "Can I get a Visio licence?",
        ),
        ("Standard licence request.",),
        (
            "Licence assigned and software made available.",
            "Ordered licences from vendor and assigned.",
        ),
        "Request software or a licence",
        (
            "First check whether the program is already in Software Center.",
            "Request paid software in the portal with a cost centre.",
            "After approval the software is available within two working days.",
        ),
    ),
    "new_employee": P(
        ("New employee", "Onboarding", "Account for new colleague"),
        (
            "A new colleague starts in {dept} on 1 {month_en}. Please set up an account and laptop.",
            "Our new employee still has no account and starts on Monday.",
            "New intern needs access to mail, Teams and the department drive.",
        ),
        ("Onboarding not reported by HR in time.",),
        (
            "Created account, prepared laptop and rights as colleague.",
            "Onboarding completed, welcome mail sent.",
        ),
        "Onboarding a new employee",
        (
            "HR registers the new hire in AFAS; that creates the account automatically.",
            "Request the laptop and extra rights at least ten working days ahead in the portal.",
            "On day one the employee collects the laptop at the IT desk.",
        ),
    ),
    "leaver": P(
        ("Employee leaving", "Close account", "Offboarding"),
        (
            "Our colleague leaves at the end of the month, please close the account.",
            "Can the mailbox of a colleague who left be forwarded to me?",
            "The laptop of an employee who left has to be returned.",
        ),
        ("Employee leaving.",),
        (
            "Blocked account, converted mailbox to shared mailbox, collected laptop.",
            "Offboarding completed.",
        ),
        "Offboarding a leaving employee",
        (
            "HR registers the leaving date in AFAS.",
            "The account is blocked at 17:00 on the last working day.",
            "Return laptop, phone and badge at the IT desk.",
        ),
    ),
    "eform_error": P(
        ("E-form not working", "Website form error", "Residents can't submit form"),
        (
            "Residents call that the form '{form_en}' on the website gives an error.",
            "The e-form '{form_en}' submits nothing, requests don't arrive in the case system.",
            "When logging in with DigiD on the form residents get an error.",
        ),
        (
            "Link between form and case system broken.",
            "Expired certificate for the DigiD connection.",
        ),
        (
            "Restored the link, reprocessed stuck requests.",
            "Renewed certificate, DigiD login works again.",
        ),
        "E-forms: requests not arriving",
        (
            "Check whether the form sends a confirmation email when testing.",
            "Look at the error queue of the integration.",
            "Report it to application management with form name and time.",
        ),
        (
            "No e-form on the website arrives anymore.",
            "Integration with the case system down.",
            "Vendor restored the integration; queued requests processed.",
        ),
    ),
    "website_content": P(
        ("Change website text", "Website page wrong", "CMS login"),
        (
            "The website still shows the old opening hours of the Publiekshal.",
            "I can't log in to the website CMS.",
            "A link on the waste collection page points to a page that doesn't exist.",
        ),
        ("Editor rights missing.", "Outdated content."),
        ("Granted editor rights in the CMS.", "Web team updated the page."),
        "Editing pages on the website",
        (
            "Log in to the CMS with your work account.",
            "Edit the page and choose 'For review'.",
            "The web team publishes the change within one working day.",
        ),
    ),
}

ALERTS: dict[str, tuple[str, ...]] = {
    "disk_full": (
        "ALERT: disk {mount} {pct}% on {host}",
        "Host: {host}\nService: Disk {mount}\nState: CRITICAL\nOutput: DISK CRITICAL - "
        "free space: {mount} {pct}% used",
    ),
    "backup_failed": (
        "ALERT: Veeam job 'Backup {host}' Failed",
        "Job: Backup {host}\nResult: Failed\nError: Unable to create snapshot "
        "(VSS_E_WRITERERROR_TIMEOUT)\nRetries: 3",
    ),
    "server_unreachable": (
        "ALERT: host {host} is DOWN",
        "Host: {host}\nState: DOWN\nOutput: PING CRITICAL - Packet loss = 100%\n"
        "Notification: PROBLEM",
    ),
}
"""Monitoring alert (subject, body) per monitored subcategory; monitoring writes English."""

FRAMES = Frames(
    greetings=(
        "Hi,",
        "Hello,",
        "Good morning,",
        "Dear service desk,",
        "Hi IT,",
        "Hi team,",
        "Hello IT,",
    ),
    signoffs=(
        "Regards,",
        "Kind regards,",
        "Thanks,",
        "Thanks in advance!",
        "Best,",
        "Cheers,",
        "Groetjes,",
    ),
    impact_cues={
        Level.HIGH: (
            "The whole department can't work.",
            "Nobody at the {building} can continue.",
            "This affects all colleagues in {dept}.",
            "Production is down.",
            "Affects the whole team.",
        ),
        Level.MEDIUM: (
            "Several colleagues in my team have the same.",
            "My colleague next to me has it too.",
            "A few people in {dept} have this as well.",
        ),
        Level.LOW: (
            "Only me, I think.",
            "Colleagues don't have this problem.",
            "It's just my account.",
        ),
    },
    urgency_cues={
        Level.HIGH: (
            "I have a customer at the desk in half an hour.",
            "Customer is waiting!",
            "This has to go out today at 12:00.",
            "Urgent please!!",
            "The council meeting starts tonight at 19:00.",
            "I can't do anything right now.",
        ),
        Level.MEDIUM: (
            "Please have a look today.",
            "I can partly continue working.",
            "Would like it fixed this week.",
        ),
        Level.LOW: (
            "No rush.",
            "Only me, not urgent.",
            "After the weekend is fine too.",
            "Not urgent.",
        ),
    },
    escalation_cues=(
        "Tried three times already, it keeps coming back.",
        "Error persists after reinstall.",
        "The service desk already looked at it but couldn't fix it.",
        "This is the third ticket about this this month.",
        "Restarting and the steps from the KB article don't help.",
        "The previous fix only worked for one day.",
    ),
    details=(
        "I already restarted the laptop.",
        "Since this morning.",
        "Since yesterday's update.",
        "Working from home today.",
        "See screenshot attached.",
        "I'm at the {building}.",
        "It worked fine yesterday.",
        "I'm on the 2nd floor.",
        "I'm at a flex desk.",
    ),
    vague_subjects=("Problem", "not working", "Help", "issue", "question", "?"),
    vague_bodies=(
        "doesn't work",
        "It's not working again.",
        "help, everything is frozen",
        "Can someone call me? It doesn't work.",
        "Problem with my computer, please contact me.",
        "Broken again...",
    ),
    phone_openers=(
        "Caller reports: ",
        "{name} calls: ",
        "Ms {last} called, ",
        "Mr {last} calls: ",
        "Reported by phone: ",
        "User calls: ",
    ),
    phone_closers=(
        "Call back on {phone}.",
        "Reachable on {phone}.",
        "Offered remote session.",
        "Passed on.",
        "User waiting for feedback.",
        "",
    ),
    chat_openers=("hi", "hello", "good morning", "hey", "hi service desk"),
    portal_fields=("Category", "Description", "Location", "Phone number"),
    forward_header="---------- Forwarded message ---------\nFrom: {fwd_name} <{fwd_email}>\n"
    "Sent: {fwd_date}\nTo: {name}\nSubject: {subject}",
    forward_intro=(
        "See below.",
        "Could you look into this?",
        "FYI, please pick up.",
        "My colleague has this problem, can you help?",
    ),
    mixed_inserts=(
        "Foutmelding: 'Er is iets misgegaan'.",
        "(sorry, mijn Nederlands is beter)",
        "It says 'Geen toegang'.",
        "Error says 'Kan geen verbinding maken'.",
    ),
    kb_headings=("Symptom", "Cause", "Solution"),
    cancel_notes=(
        "User solved it themselves.",
        "Duplicate ticket, see other ticket.",
        "Withdrawn by requester.",
    ),
    outage_note="Linked to major incident; ",
)
