#!/bin/sh
# Installs Lanterne for the current user: the app in ~/.local/opt/lanterne, a launcher in
# ~/.local/bin, the menu entry and the icon. Nothing needs root. Uninstall: remove those four.
set -e
here=$(cd "$(dirname "$0")" && pwd)
prefix=${XDG_DATA_HOME:-$HOME/.local/share}
mkdir -p "$HOME/.local/opt" "$HOME/.local/bin" "$prefix/applications" "$prefix/icons/hicolor/256x256/apps"
rm -rf "$HOME/.local/opt/lanterne"
cp -a "$here/lanterne" "$HOME/.local/opt/lanterne"
ln -sf "$HOME/.local/opt/lanterne/lanterne" "$HOME/.local/bin/lanterne"
cp "$here/lanterne.png" "$prefix/icons/hicolor/256x256/apps/lanterne.png"
sed "s|^Exec=lanterne|Exec=$HOME/.local/opt/lanterne/lanterne|" "$here/lanterne.desktop" > "$prefix/applications/lanterne.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database "$prefix/applications" || true
echo "Lanterne installed. Start it from the applications menu or with: lanterne"
