namespace tern {}
