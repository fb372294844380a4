; Inno Setup script for Lanterne on Windows (per-user install, no admin rights needed).
; Build the one-folder app first (on Windows):  pyinstaller --noconfirm --clean packaging\lanterne.spec
; then:  iscc packaging\lanterne.iss   → dist\Lanterne-Setup-0.1.0.exe
#define AppVersion "0.1.0"

[Setup]
AppId={{6E0C5A3E-3B7B-4C55-9C1E-4C7A1B2D9F10}
AppName=Lanterne
AppVersion={#AppVersion}
AppPublisher=Lanterne
DefaultDirName={localappdata}\Programs\Lanterne
DefaultGroupName=Lanterne
PrivilegesRequired=lowest
OutputDir=..\dist
OutputBaseFilename=Lanterne-Setup-{#AppVersion}
Compression=lzma2/ultra64
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
SetupIconFile=lanterne.ico
UninstallDisplayIcon={app}\lanterne.exe
LicenseFile=..\LICENSE
WizardStyle=modern

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "fr"; MessagesFile: "compiler:Languages\French.isl"

[Files]
Source: "..\dist\lanterne\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Lanterne"; Filename: "{app}\lanterne.exe"
Name: "{userdesktop}\Lanterne"; Filename: "{app}\lanterne.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Run]
Filename: "{app}\lanterne.exe"; Description: "{cm:LaunchProgram,Lanterne}"; Flags: nowait postinstall skipifsilent
