; Inno Setup 6.3+ script: installs the PyInstaller one-folder build of ECFMG Desk on Windows 10/11.
;
;   pyinstaller --noconfirm --clean --distpath dist --workpath build packaging\pyinstaller\ecfmg-desk.spec
;   iscc packaging\windows\ecfmg-desk.iss            ->  dist\ecfmg-desk-<version>-setup.exe
;
; The version is read from ecfmg-desk.exe's version resource, which the spec writes from pyproject.toml;
; override with  iscc /DAppVersion=1.2.3 ...  only if you must.
; Installs per user without administrator rights (no UAC prompt); an administrator may choose "all users".
; Uninstalling removes the program only: vaults and settings in %LOCALAPPDATA%\ecfmg-desk are the user's
; documents and are never deleted here.

#define AppName "ECFMG Desk"
#define AppExe "ecfmg-desk.exe"
#define AppCliExe "ecfmg-desk-cli.exe"
#define AppUserModelId "org.ecfmgdesk.EcfmgDesk"
#define ProgId "EcfmgDesk.Packet"
#define Here AddBackslash(SourcePath)
#define DistDir Here + "..\..\dist\ecfmg-desk"
#if !FileExists(DistDir + "\" + AppExe)
  #error Build the app first (see packaging\README.md): dist\ecfmg-desk\ecfmg-desk.exe is missing.
#endif
#ifndef AppVersion
  #define AppVersion GetStringFileInfo(DistDir + "\" + AppExe, "ProductVersion")
#endif
#if AppVersion == ""
  #error dist\ecfmg-desk\ecfmg-desk.exe has no version resource: was it built with packaging\pyinstaller\ecfmg-desk.spec?
#endif

[Setup]
; AppId identifies the app to Windows across versions (upgrades, uninstall). Never change it.
AppId={{78C4A855-6C22-4C14-93EC-88169693779B}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=ECFMG Desk developers
AppCopyright=MIT License. Not affiliated with ECFMG or Intealth.
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
; Qt 6 runs on 64-bit Windows 10 1809 and later.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0.17763
OutputDir={#Here}..\..\dist
OutputBaseFilename=ecfmg-desk-{#AppVersion}-setup
SetupIconFile={#Here}..\icons\ecfmg-desk.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
; Tell Explorer to reload file associations after install and uninstall.
ChangesAssociations=yes
; Close a running ECFMG Desk (Restart Manager) before replacing its files.
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "spanish"; MessagesFile: "compiler:Languages\Spanish.isl"
Name: "french"; MessagesFile: "compiler:Languages\French.isl"
Name: "brazilianportuguese"; MessagesFile: "compiler:Languages\BrazilianPortuguese.isl"
Name: "russian"; MessagesFile: "compiler:Languages\Russian.isl"
Name: "turkish"; MessagesFile: "compiler:Languages\Turkish.isl"
Name: "japanese"; MessagesFile: "compiler:Languages\Japanese.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole runtime folder, so no library of the previous version is left behind.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#DistDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Parameters: "gui"; AppUserModelID: "{#AppUserModelId}"; Comment: "Prepare and check your ECFMG certification documents"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Parameters: "gui"; AppUserModelID: "{#AppUserModelId}"; Tasks: desktopicon

[Registry]
; .ecfmgpkt -> ProgID EcfmgDesk.Packet -> "ecfmg-desk.exe" gui "%1" (review mode). HKA is HKCU for a per-user
; install and HKLM for an all-users one. Windows 10/11 keep the user's own "Open with" choice if one was made;
; OpenWithProgids puts ECFMG Desk in that list either way.
Root: HKA; Subkey: "Software\Classes\.ecfmgpkt"; ValueType: string; ValueName: ""; ValueData: "{#ProgId}"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.ecfmgpkt"; ValueType: string; ValueName: "Content Type"; ValueData: "application/x-ecfmg-packet"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.ecfmgpkt\OpenWithProgids"; ValueType: string; ValueName: "{#ProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: ""; ValueData: "ECFMG Desk packet bundle"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#ProgId}"; ValueType: string; ValueName: "AppUserModelID"; ValueData: "{#AppUserModelId}"
Root: HKA; Subkey: "Software\Classes\{#ProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"
Root: HKA; Subkey: "Software\Classes\{#ProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" gui ""%1"""
; "Open with" list and Default Apps settings page.
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}"; ValueType: string; ValueName: "FriendlyAppName"; ValueData: "{#AppName}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".ecfmgpkt"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" gui ""%1"""
; Lets Win+R and scripts start the console twin by name: ecfmg-desk-cli --version
Root: HKA; Subkey: "Software\Microsoft\Windows\CurrentVersion\App Paths\{#AppCliExe}"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppCliExe}"; Flags: uninsdeletekey

[Run]
Filename: "{app}\{#AppExe}"; Parameters: "gui"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
