// Everything the package exports, for `scripts/size`: what an app that uses all of Razor ships.
export * from "@razor-sh/razor";
