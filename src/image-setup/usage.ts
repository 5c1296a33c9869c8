// `rackcast image-setup`'s usage, on its own so `rackcast --help` loads nothing else of it.
export const IMAGE_SETUP_USAGE = `usage: rackcast image-setup FILE --system-dir DIR --data-dir DIR
       rackcast image-setup --hash < password
  Applies the image's rackcast-setup.toml (at boot, as root); --hash prints admin_password_hash for it.`;
