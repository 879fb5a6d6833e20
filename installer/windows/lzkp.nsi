; 履职考评 Windows installer (NSIS 3, Unicode, Simplified Chinese UI).
;
; Installs the PyInstaller onedir bundle (dist\lzkp\: lzkp.exe windowed, lzkp-cli.exe console)
; into Program Files, with Start-menu and desktop shortcuts and an uninstaller. User data
; (%APPDATA%\LvzhiKaoping: databases, backups, settings) is never touched by install or uninstall.
;
; Build on Windows (NSIS 3.x) or on Linux (Debian package `nsis`), from the repository root:
;   makensis /DVERSION=0.1.0 installer\windows\lzkp.nsi
;   makensis -DVERSION=0.1.0 installer/windows/lzkp.nsi
; Output: dist\lzkp-setup-<VERSION>.exe. makensis works in this script's folder, so the defaults
; below are relative to it; give absolute paths when overriding DIST_DIR or OUT_DIR.

Unicode true
SetCompressor /SOLID lzma
SetCompressorDictSize 64

; Compile-time path separator: makensis on Windows wants "\", the POSIX build wants "/".
!ifdef NSIS_WIN32_MAKENSIS
  !define /ifndef SEP "\"
!else
  !define /ifndef SEP "/"
!endif

!ifndef VERSION
  !define VERSION "0.1.0"
!endif
!ifndef DIST_DIR
  !define DIST_DIR "..${SEP}..${SEP}dist${SEP}lzkp"
!endif
!ifndef OUT_DIR
  !define OUT_DIR "..${SEP}..${SEP}dist"
!endif

!define APP_NAME "履职考评"
!define APP_KEY "LvzhiKaoping"
!define PUBLISHER "履职考评项目组"
!define EXE_NAME "lzkp.exe"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_KEY}"
!define ICON_FILE "..${SEP}..${SEP}resources${SEP}icons${SEP}app.ico"

!include "MUI2.nsh"
!include "x64.nsh"
!include "WinVer.nsh"
!include "FileFunc.nsh"

Name "${APP_NAME}"
Caption "${APP_NAME} ${VERSION} 安装程序"
OutFile "${OUT_DIR}${SEP}lzkp-setup-${VERSION}.exe"
; ASCII folder name: some older third-party tools mishandle non-ASCII paths.
InstallDir "$PROGRAMFILES64\${APP_KEY}"
InstallDirRegKey HKLM "${UNINST_KEY}" "InstallLocation"
RequestExecutionLevel admin
ShowInstDetails show
ShowUninstDetails show
BrandingText "${APP_NAME} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=2052 "ProductName" "${APP_NAME}"
VIAddVersionKey /LANG=2052 "FileDescription" "${APP_NAME} 安装程序"
VIAddVersionKey /LANG=2052 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=2052 "LegalCopyright" "${PUBLISHER}"

!define MUI_ICON "${ICON_FILE}"
!define MUI_UNICON "${ICON_FILE}"
!define MUI_ABORTWARNING
!define MUI_WELCOMEPAGE_TITLE "欢迎安装 ${APP_NAME} ${VERSION}"
!define MUI_WELCOMEPAGE_TEXT "本程序将把“${APP_NAME}”（单位版/编办版，离线运行）安装到本机。$\r$\n$\r$\n升级安装时，已有的数据库、备份和设置不会被改动（保存在当前用户的 AppData\LvzhiKaoping 文件夹）。$\r$\n$\r$\n点击“下一步”继续。"
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE_NAME}"
!define MUI_FINISHPAGE_RUN_TEXT "立即运行 ${APP_NAME}"
!define MUI_UNCONFIRMPAGE_TEXT_TOP "将从本机卸载“${APP_NAME}”。数据库、备份和设置（AppData\LvzhiKaoping）会保留；如需彻底删除，请在卸载后手动删除该文件夹。"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "SimpChinese"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "${APP_NAME}需要64位Windows 10或更高版本。"
    Abort
  ${EndIf}
  ${IfNot} ${AtLeastWin10}
    MessageBox MB_ICONSTOP "${APP_NAME}需要Windows 10或更高版本（所用的Qt 6界面库不支持更早的系统）。"
    Abort
  ${EndIf}
  SetRegView 64
FunctionEnd

Function un.onInit
  SetRegView 64
FunctionEnd

Section "${APP_NAME}" SecMain
  SectionIn RO
  SetShellVarContext all
  SetOutPath "$INSTDIR"
  ; An upgrade replaces the whole bundle: stale libraries or Qt plugins from an older version
  ; left in _internal could be loaded by the new one.
  RMDir /r "$INSTDIR\_internal"
  File /r "${DIST_DIR}${SEP}*.*"

  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateDirectory "$SMPROGRAMS\${APP_NAME}"
  CreateShortcut "$SMPROGRAMS\${APP_NAME}\${APP_NAME}.lnk" "$INSTDIR\${EXE_NAME}" "" "$INSTDIR\${EXE_NAME}" 0
  CreateShortcut "$SMPROGRAMS\${APP_NAME}\卸载${APP_NAME}.lnk" "$INSTDIR\uninstall.exe"
  CreateShortcut "$DESKTOP\${APP_NAME}.lnk" "$INSTDIR\${EXE_NAME}" "" "$INSTDIR\${EXE_NAME}" 0

  WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${EXE_NAME}"
  WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKLM "${UNINST_KEY}" "EstimatedSize" "$0"
SectionEnd

Section "Uninstall"
  SetShellVarContext all
  Delete "$DESKTOP\${APP_NAME}.lnk"
  Delete "$SMPROGRAMS\${APP_NAME}\${APP_NAME}.lnk"
  Delete "$SMPROGRAMS\${APP_NAME}\卸载${APP_NAME}.lnk"
  RMDir "$SMPROGRAMS\${APP_NAME}"

  ; Only what the installer put there; RMDir without /r keeps a folder the user added files to.
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\lzkp.exe"
  Delete "$INSTDIR\lzkp-cli.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"

  DeleteRegKey HKLM "${UNINST_KEY}"
SectionEnd
